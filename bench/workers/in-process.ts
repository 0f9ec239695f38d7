// Each configuration of one framework's protected route (routes.ts, the same the socket servers
// listen with), driven without a socket: light-my-request for node:http and Express, fastify.inject
// for Fastify, app.request for Hono. The kernel and the load generator are out of the loop, so what
// remains is the framework's work and the authentication's.
// One request at a time, as a handler sees it; a request counts once its whole answer is in hand
// (status and body). Every request carries an Authorization header, the configurations without
// authentication an HS256 Bearer token they ignore: building a request with the header is the
// harness's work (for Hono a Web Request, whose Headers validate it), the same for all.
// The event loop turns after every TURN requests: an injected request resolves through microtasks
// alone, and what Node leaves to setImmediate (light-my-request's and Fastify's streams end there)
// would otherwise pile up unrun, uncounted and never freed, for the whole run.
// Rounds go across every configuration in chunks taken in turn, the order rotated each pass, so drift
// on a shared machine and the garbage one configuration leaves behind fall on all of them alike.
// argv: framework, rounds, requests per round, the variants. Prints { [variant]: { ns, cpuNs }[] },
// one per round: wall time per request, and the process's CPU time per request (all its threads,
// the garbage collector's included; Linux counts their sum exactly, one thread's only to the tick).
import inject from 'light-my-request';
import { configuration } from './guards.ts';
import { protectedRoute, type Route } from './routes.ts';

const [framework, roundsArg, perRoundArg, ...VARIANTS] = process.argv.slice(2) as [string, string, string, ...string[]];
const rounds = Number(roundsArg);
const perRound = Number(perRoundArg);
// A round's requests of each configuration, in chunks of CHUNK taken in turn with the others'.
const CHUNK = Math.min(100, perRound);
const PASSES = Math.ceil(perRound / CHUNK);

/** One GET of the route with the configuration's Authorization; resolves with the status once the body is read. */
function sender(route: Route, authorization: string): () => Promise<number> {
  const headers = { authorization };
  if (route.framework === 'hono') {
    const { app } = route;
    return async () => {
      const response = await app.request('/', { headers });
      await response.text();
      return response.status;
    };
  }
  if (route.framework === 'fastify') {
    const { app } = route;
    return async () => (await app.inject({ method: 'GET', url: '/', headers })).statusCode;
  }
  const { listener } = route;
  return async () => (await inject(listener, { method: 'GET', url: '/', headers })).statusCode;
}

const ignored = (await configuration('jwtHs256')).authorization;
const senders = await Promise.all(
  VARIANTS.map(async (variant) => {
    const { route, authorization } = await protectedRoute(framework, variant);
    return sender(route, authorization || ignored);
  }),
);

const TURN = 10;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** `count` requests of one configuration, one after the other: their wall time and CPU time in ns. */
async function chunk(variant: number, count: number): Promise<{ ns: number; cpuNs: number }> {
  const send = senders[variant]!;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const status = await send();
    if (status !== 200) throw new Error(`in-process ${framework} ${VARIANTS[variant]}: answered ${status}`);
    if (i % TURN === TURN - 1) await turn();
  }
  const cpu = process.cpuUsage(cpu0);
  return { ns: Number(process.hrtime.bigint() - t0), cpuNs: (cpu.user + cpu.system) * 1000 };
}

/**
 * One round: PASSES passes, each a chunk of every configuration, the order rotated pass by pass.
 * A round's figures for each configuration span the same stretch of time, so what the machine does
 * meanwhile weighs on all of them alike. Returns ns per request, per configuration.
 */
async function round(offset: number): Promise<Array<{ ns: number; cpuNs: number }>> {
  const chunks = VARIANTS.map(() => [] as Array<{ ns: number; cpuNs: number }>);
  for (let pass = 0; pass < PASSES; pass++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const v = (k + pass + offset) % VARIANTS.length;
      chunks[v]!.push(await chunk(v, CHUNK));
    }
  }
  // The median chunk, not the sum: a full collection of the heap (tens of ms, whichever chunk it
  // falls in, for garbage every configuration left) would otherwise decide a round's ratio. Young
  // collections, a few per chunk, stay in every chunk's figure: what a configuration allocates is counted.
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
  return chunks.map((cs) => ({
    ns: median(cs.map((c) => c.ns)) / CHUNK,
    cpuNs: median(cs.map((c) => c.cpuNs)) / CHUNK,
  }));
}

// Warm-up, not counted: the first request of each verifies its credential and fills the cache;
// the rest let the JIT settle on every path, interleaved as the rounds will be.
for (let i = 0; i < 3; i++) await round(i);

const measured: Array<Array<{ ns: number; cpuNs: number }>> = VARIANTS.map(() => []);
for (let r = 0; r < rounds; r++) for (const [v, figures] of (await round(r)).entries()) measured[v]!.push(figures);
process.stdout.write(JSON.stringify(Object.fromEntries(VARIANTS.map((variant, v) => [variant, measured[v]]))));
process.exit(0);
