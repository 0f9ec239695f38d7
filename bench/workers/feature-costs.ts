// What the features of the later issues cost per request, in-process, each beside what it adds to:
// - the guard's decide() on Web Requests, no network: a Bearer ES256 JWT verified before (the
//   token cache warm), the same with a DPoP proof (RFC 9449: a fresh proof signed by the token's
//   key, checked with its embedded key, for htm/htu/iat/ath and binding, its jti spent in a memory
//   replay cache), and an opaque token checked by introspection (RFC 7662) with its answer cached.
//   The introspection endpoint is a real one on loopback, asked once in the warm-up; the run fails
//   if it is asked again while timed.
// - the client's call, one at a time, over a fetch that hands over answers made before the timed
//   loop: answers without RateLimit fields, and the same answers with them (a budget far from
//   spent), so the difference is the client's pacing bookkeeping (reading the fields, keeping the
//   origin's quota), not the making of answers.
// Proofs and answers are made before each timed loop (a jti is good once, a body read once).
// Rounds interleave the variants, the order turning each round.
// argv: rounds, requests per round. Prints, per variant, per round, { ns, cpuNs } per request.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createClient } from '../../src/client/index.ts';
import { rateLimitFields } from '../../src/http/index.ts';
import {
  bearerScheme,
  createGuard,
  type Decision,
  dpopScheme,
  type Guard,
  introspectionScheme,
  memoryNonces,
} from '../../src/server/index.ts';

const [rounds, perRound] = process.argv.slice(2).map(Number) as [number, number];
const URL_ = 'https://api.bench.example/api/me';
const AUDIENCE = 'https://api.bench.example';

const issuer = await generateKeyPair('ES256');
const proofKey = await generateKeyPair('ES256', { extractable: true });
const jwk = await exportJWK(proofKey.publicKey);
const jkt = await calculateJwkThumbprint(jwk, 'sha256');
const jwt = { key: issuer.publicKey, algorithms: ['ES256' as const], audience: AUDIENCE };
const token = (cnf?: object) =>
  new SignJWT({ scope: 'read', ...(cnf ? { cnf } : {}) })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject('u1')
    .setAudience(AUDIENCE)
    .setExpirationTime('1h')
    .sign(issuer.privateKey);
const bearerToken = await token();
const dpopToken = await token({ jkt });
const opaqueToken = randomBytes(32).toString('base64url');

// The introspection endpoint (RFC 7662 §2.2): active, for this API, an hour to live; calls counted.
let introspections = 0;
const endpoint = createServer((req, res) => {
  introspections++;
  req.resume().on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    res.end(JSON.stringify({ active: true, sub: 'u1', scope: 'read', aud: AUDIENCE, exp, client_id: 'web' }));
  });
});
await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
const endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/introspect`;

const guards = {
  bearer: createGuard({ schemes: [bearerScheme({ jwt })] }),
  // Room for every proof of the run under one key: a full cache would refuse (503), never forget a jti.
  dpop: createGuard({
    schemes: [
      dpopScheme({
        jwt,
        proof: {
          algorithms: ['ES256'],
          nonces: memoryNonces({ maxEntries: rounds * perRound + 200, maxEntriesPerKey: rounds * perRound + 200 }),
        },
      }),
    ],
  }),
  introspectionCached: createGuard({
    schemes: [
      introspectionScheme({ endpoint: endpointUrl, clientId: 'api', clientSecret: 'api-secret', audience: AUDIENCE }),
    ],
  }),
};

const ath = createHash('sha256').update(dpopToken).digest('base64url');
const proof = () =>
  new SignJWT({ htm: 'GET', htu: URL_, jti: randomUUID(), ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .sign(proofKey.privateKey);
const requests = {
  bearer: async () => new Request(URL_, { headers: { authorization: `Bearer ${bearerToken}` } }),
  dpop: async () => new Request(URL_, { headers: { authorization: `DPoP ${dpopToken}`, dpop: await proof() } }),
  introspectionCached: async () => new Request(URL_, { headers: { authorization: `Bearer ${opaqueToken}` } }),
};

// The client's side: one client per variant, each over a fetch that hands over the answers made for it.
let remaining = 1_000_000_000;
const answer = (fields: boolean) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  // A budget far from spent: the client keeps its quota and lets every request go at once.
  if (fields)
    Object.assign(
      headers,
      rateLimitFields({ policy: 'default', quota: 2e9, windowSeconds: 60, remaining: remaining--, resetSeconds: 60 }),
    );
  return new Response('{"ok":true}', { headers });
};
const queued = { client: [] as Response[], rateLimitPaced: [] as Response[] };
const over = (queue: Response[]) => async () => queue.shift() ?? new Response(null, { status: 500 });
const clients = {
  client: createClient({ fetch: over(queued.client) }),
  rateLimitPaced: createClient({ fetch: over(queued.rateLimitPaced) }),
};

interface Round {
  ns: number;
  cpuNs: number;
}

/** Wall time per request (one at a time, as a handler or a caller sees it) and CPU time per request (all threads). */
async function timed(count: number, one: (i: number) => Promise<void> | void): Promise<Round> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await one(i);
  const ns = Number(process.hrtime.bigint() - t0) / count;
  const cpu = process.cpuUsage(cpu0);
  return { ns, cpuNs: ((cpu.user + cpu.system) * 1000) / count };
}

async function decideAll(guard: Guard, batch: Request[]): Promise<Round> {
  return timed(batch.length, async (i) => {
    const pending = guard.decide(batch[i]!);
    const decision: Decision = pending instanceof Promise ? await pending : pending;
    if (decision.outcome !== 'authenticated') throw new Error(`a request was ${decision.outcome}`);
  });
}

async function callAll(name: keyof typeof clients, count: number): Promise<Round> {
  for (let i = 0; i < count; i++) queued[name].push(answer(name === 'rateLimitPaced'));
  return timed(count, async () => {
    const response = await clients[name].get(URL_);
    if (response.status !== 200) throw new Error(`a call ended ${response.status}`);
    await response.text();
  });
}

type GuardVariant = keyof typeof guards;
type Variant = GuardVariant | keyof typeof clients;
const variants: Variant[] = ['bearer', 'dpop', 'introspectionCached', 'client', 'rateLimitPaced'];
const isGuard = (v: Variant): v is GuardVariant => v in guards;
const make = async (v: GuardVariant, count: number) => {
  const batch: Request[] = [];
  for (let i = 0; i < count; i++) batch.push(await requests[v]());
  return batch;
};
const measure = async (v: Variant, count: number) =>
  isGuard(v) ? decideAll(guards[v], await make(v, count)) : callAll(v, count);

// Warm-up (the token caches, the introspection answer, the JIT), not counted.
for (const v of variants) await measure(v, v === 'dpop' ? 200 : 2000);
const askedInWarmUp = introspections;

const out: Record<Variant, Round[]> = Object.fromEntries(variants.map((v) => [v, []])) as never;
for (let round = 0; round < rounds; round++) {
  // Each round's inputs first, so that no variant's timed loop waits on another's signing.
  const batches = new Map<GuardVariant, Request[]>();
  for (const v of variants) if (isGuard(v)) batches.set(v, await make(v, perRound));
  const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
  for (const v of order)
    out[v].push(isGuard(v) ? await decideAll(guards[v], batches.get(v)!) : await callAll(v, perRound));
}
if (introspections !== askedInWarmUp)
  throw new Error(`the introspection endpoint was asked ${introspections - askedInWarmUp} times while timed`);
endpoint.close();
process.stdout.write(JSON.stringify({ ...out, introspectionsWhileTimed: introspections - askedInWarmUp }));
process.exit(0);
