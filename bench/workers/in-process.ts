// Each configuration of one framework's protected route (routes.ts, the same the socket servers
// listen with), driven without a socket: light-my-request for node:http and Express, fastify.inject
// for Fastify, app.request for Hono. The kernel and the load generator are out of the loop, so what
// remains is the framework's work and the authentication's.
// One request at a time, as a handler sees it; a request counts once its whole answer is in hand
// (status and body). Every request carries an Authorization header, the configurations without
// authentication an HS256 Bearer token they ignore: building a request with the header is the
// harness's work (for Hono a Web Request, whose Headers validate it), the same for all. Rounds go across every configuration, the order rotated each round, so drift
// on a shared machine and the garbage one configuration leaves behind fall on all of them alike.
// argv: framework, rounds, requests per round, the variants. Prints { [variant]: { ns, cpuNs }[] }, one
// per round: wall time per request, and the main thread's time on a CPU per request.
import { readFileSync } from 'node:fs';
import inject from 'light-my-request';
import { configuration } from './guards.ts';
import { protectedRoute, type Route } from './routes.ts';

const [framework, rounds, perRound, ...VARIANTS] = process.argv.slice(2) as [string, string, string, ...string[]];

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

// The main thread's time on a CPU, in ns: what a one-threaded server spends per request, apart from
// the time the machine's other processes held the cores. Linux counts it exactly in schedstat
// (sum_exec_runtime); elsewhere getrusage, in scheduler ticks.
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const onCpuNs = (() => {
  try {
    readFileSync(SCHEDSTAT, 'utf8');
    return () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]);
  } catch {
    return () => {
      const { user, system } = process.threadCpuUsage();
      return (user + system) * 1000;
    };
  }
})();

/** Nanoseconds per request over `count` requests, one after the other: wall time and CPU time. */
async function batch(variant: number, count: number): Promise<{ ns: number; cpuNs: number }> {
  const send = senders[variant]!;
  const cpu0 = onCpuNs();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const status = await send();
    if (status !== 200) throw new Error(`in-process ${framework} ${VARIANTS[variant]}: answered ${status}`);
  }
  const ns = Number(process.hrtime.bigint() - t0) / count;
  return { ns, cpuNs: (onCpuNs() - cpu0) / count };
}

// Warm-up, not counted: the first request of each verifies its credential and fills the cache;
// the rest let the JIT settle on every path, interleaved as the rounds will be.
for (let pass = 0; pass < 3; pass++) for (let v = 0; v < VARIANTS.length; v++) await batch(v, Number(perRound));

const measured: Array<Array<{ ns: number; cpuNs: number }>> = VARIANTS.map(() => []);
for (let round = 0; round < Number(rounds); round++) {
  for (let k = 0; k < VARIANTS.length; k++) {
    const v = (k + round) % VARIANTS.length;
    measured[v]!.push(await batch(v, Number(perRound)));
  }
}
process.stdout.write(JSON.stringify(Object.fromEntries(VARIANTS.map((variant, v) => [variant, measured[v]]))));
process.exit(0);
