// The cost per request of verifying a DPoP proof (RFC 9449) beside a plain Bearer check, in-process:
// the guard's decide() on Web Requests, no network. Both carry an ES256 JWT for the same audience,
// verified before (the token cache warm, as for every request of a client but its first); the DPoP
// request adds a fresh proof signed by the token's key, which is verified with its embedded key,
// checked for htm/htu/iat/ath and binding, and its jti spent in a memory replay cache.
// Signing proofs is the client's cost: each round's proofs are signed before its timed loop (a jti
// is good once). Rounds interleave the two, alternating which goes first.
// argv: rounds, requests per round. Prints { bearer, dpop }: per round, { ns, cpuNs } per request.
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import {
  bearerScheme,
  createGuard,
  type Decision,
  dpopScheme,
  type Guard,
  memoryNonces,
} from '../../src/server/index.ts';

const [rounds, perRound] = process.argv.slice(2).map(Number) as [number, number];
const URL_ = 'https://api.bench.example/api/me';
const AUDIENCE = 'https://api.bench.example';

const issuer = await generateKeyPair('ES256');
const client = await generateKeyPair('ES256', { extractable: true });
const jwk = await exportJWK(client.publicKey);
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

const bearerGuard = createGuard({ schemes: [bearerScheme({ jwt })] });
// Room for every proof of the run under one key: a full cache would refuse (503), never forget a jti.
const room = rounds * perRound + 200;
const dpopGuard = createGuard({
  schemes: [
    dpopScheme({
      jwt,
      proof: { algorithms: ['ES256'], nonces: memoryNonces({ maxEntries: room, maxEntriesPerKey: room }) },
    }),
  ],
});

const ath = createHash('sha256').update(dpopToken).digest('base64url');
const proof = () =>
  new SignJWT({ htm: 'GET', htu: URL_, jti: randomUUID(), ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt()
    .sign(client.privateKey);
const bearerRequest = () => new Request(URL_, { headers: { authorization: `Bearer ${bearerToken}` } });
const dpopRequest = async () =>
  new Request(URL_, { headers: { authorization: `DPoP ${dpopToken}`, dpop: await proof() } });

/** Wall time per request (one at a time, as a handler sees it) and CPU time per request (all threads). */
async function batch(guard: Guard, requests: Request[]): Promise<{ ns: number; cpuNs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const request of requests) {
    const pending = guard.decide(request);
    const decision: Decision = pending instanceof Promise ? await pending : pending;
    if (decision.outcome !== 'authenticated') throw new Error(`a request was ${decision.outcome}`);
  }
  const ns = Number(process.hrtime.bigint() - t0) / requests.length;
  const cpu = process.cpuUsage(cpu0);
  return { ns, cpuNs: ((cpu.user + cpu.system) * 1000) / requests.length };
}

// Warm-up (fills each guard's token cache, and the JIT), not counted.
await batch(bearerGuard, Array.from({ length: 5000 }, bearerRequest));
await batch(dpopGuard, await Promise.all(Array.from({ length: 200 }, dpopRequest)));

const bearer: Array<{ ns: number; cpuNs: number }> = [];
const dpop: Array<{ ns: number; cpuNs: number }> = [];
for (let round = 0; round < rounds; round++) {
  const bearers = Array.from({ length: perRound }, bearerRequest);
  const dpops: Request[] = [];
  for (let i = 0; i < perRound; i++) dpops.push(await dpopRequest());
  if (round % 2 === 0) {
    bearer.push(await batch(bearerGuard, bearers));
    dpop.push(await batch(dpopGuard, dpops));
  } else {
    dpop.push(await batch(dpopGuard, dpops));
    bearer.push(await batch(bearerGuard, bearers));
  }
}
process.stdout.write(JSON.stringify({ bearer, dpop }));
process.exit(0);
