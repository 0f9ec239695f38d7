/**
 * The in-process part of the bench: every framework's protected route driven without a socket
 * (workers/in-process.ts), each configuration against no authentication on the same framework.
 */
import { join } from 'node:path';
import { progress, run, type Spread, spread, WORKERS } from './lib.ts';

export const FRAMEWORKS = ['node', 'express', 'fastify', 'hono'] as const;
/** noAuth first: every ratio is against it. */
const VARIANTS = ['noAuth', 'noopMiddleware', 'floorJwt', 'jwtHs256', 'jwtEs256', 'basicCached', 'peerJwt'];

/** One configuration's figures, in ns per request; vsNoAuth is noAuth's ns ÷ its ns (requests/s ratio) round by round. */
export interface InProcessFigure extends Spread {
  vsNoAuth: Spread;
  cpuNs: Spread;
}
export type InProcess = Record<(typeof FRAMEWORKS)[number], Record<string, InProcessFigure>>;

/** A ratio's spread with three decimals (spread() keeps one). */
function ratios(values: number[]): Spread {
  const s = spread(values.map((v) => v * 1000));
  const r = (n: number) => Math.round(n) / 1000;
  return { median: r(s.median), min: r(s.min), max: r(s.max), rounds: s.rounds.map(r) };
}

export async function inProcessCost(quick: boolean): Promise<{ inProcess: InProcess; inProcessSettings: object }> {
  // Many short rounds, interleaved in one process per framework (as bench/costs.ts).
  const rounds = quick ? 9 : 31;
  const requestsPerRound = quick ? 200 : 1000;
  const out: Partial<InProcess> = {};
  for (const framework of FRAMEWORKS) {
    progress(`in-process: ${framework}, ${rounds} rounds of ${requestsPerRound} requests per configuration`);
    const measured = await run<Record<string, Array<{ ns: number; cpuNs: number }>>>(join(WORKERS, 'in-process.ts'), [
      framework,
      String(rounds),
      String(requestsPerRound),
      ...VARIANTS,
    ]);
    const base = measured['noAuth']!;
    out[framework] = Object.fromEntries(
      VARIANTS.map((variant) => {
        const rs = measured[variant]!;
        return [
          variant,
          {
            ...spread(rs.map((r) => r.ns)),
            vsNoAuth: ratios(rs.map((r, i) => base[i]!.ns / r.ns)),
            cpuNs: spread(rs.map((r) => r.cpuNs)),
          },
        ];
      }),
    );
  }
  return { inProcess: out as InProcess, inProcessSettings: { rounds, requestsPerRound, quick } };
}

const TARGETS: Array<[string, number]> = [
  ['jwtHs256', 0.9],
  ['jwtEs256', 0.9],
  ['basicCached', 0.8],
];

/** The in-process targets of issue 20, judged on the median of the round-by-round ratios. */
export function inProcessTargets(r: Record<string, unknown>): Array<[string, boolean, string]> {
  const p = r['inProcess'] as InProcess | undefined;
  if (!p) return [];
  return FRAMEWORKS.flatMap((framework) =>
    TARGETS.map(([variant, bar]): [string, boolean, string] => {
      const v = p[framework][variant]!.vsNoAuth;
      return [
        `in-process ${framework}: ${variant} ≥ ${bar} × no auth`,
        v.median >= bar,
        // Three decimals: a median of 0.897 must not read as a missed 0.90.
        `${v.median.toFixed(3)}× (${v.min.toFixed(2)}–${v.max.toFixed(2)})`,
      ];
    }),
  );
}

/** BENCHMARKS.md's table of the in-process figures, when the results have them. */
export function inProcessSection(r: Record<string, unknown>): string[] {
  const p = r['inProcess'] as InProcess | undefined;
  if (!p) return [];
  const settings = r['inProcessSettings'] as { rounds: number; requestsPerRound: number; quick?: boolean };
  const when =
    typeof r['inProcessDate'] === 'string'
      ? ` (measured on ${r['inProcessDate'].slice(0, 10)} with \`${settings.quick ? '--quick ' : ''}--only inProcess\`)`
      : '';
  const us = (s: Spread) =>
    `${(s.median / 1000).toFixed(1)} (${(s.min / 1000).toFixed(1)}–${(s.max / 1000).toFixed(1)})`;
  const x = (s: Spread) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  return [
    '### In-process, without a socket',
    '',
    `The same routes driven in-process${when}: light-my-request for node:http and Express, \`fastify.inject\` for Fastify, \`app.request\` for Hono. One request at a time; a request counts once its status and body are in hand. Each framework in a process of its own, ${settings.rounds} rounds of ${settings.requestsPerRound} requests per configuration, the order of the configurations rotated each round; median (min–max) of the rounds. × no auth is no authentication's time ÷ the configuration's, round by round (a requests/s ratio), their median: not the quotient of the µs medians beside it. CPU is the process's CPU time per request (all its threads, the garbage collector's included), as the server CPU of section 4: on a shared machine it leaves out the time other processes held the cores. A round's figure for a configuration is its median chunk of 100 requests: a full collection of the heap, tens of ms that fall in one chunk for garbage every configuration left, would otherwise decide the round; the young collections, a few per chunk, stay in every figure. The kernel and the load generator are out of the loop, yet on a shared machine the rounds still spread, as the (min–max) shows: a median within a few hundredths of a threshold is no verdict either way.`,
    '',
    '| framework | configuration | µs per request | × no auth | CPU µs per request |',
    '|---|---|---|---|---|',
    ...FRAMEWORKS.flatMap((framework) =>
      Object.entries(p[framework]).map(
        ([variant, s]) => `| ${framework} | ${variant} | ${us(s)} | ${x(s.vsNoAuth)} | ${us(s.cpuNs)} |`,
      ),
    ),
    '',
    "Gatehouse's configurations are the middleware form, as each adapter mounts it: `protect(guard, handler)` on node:http, `protect(guard)` as route middleware on Express and Hono, as the route's preHandler on Fastify. peerJwt is @fastify/jwt, express-jwt and hono/jwt, HS256, as over sockets; node:http has no JWT middleware of its own, so there it is what people write by hand: jose's `jwtVerify` on the Bearer token. floorJwt is calibration: the least any check of a recently seen token can cost as middleware on that framework (the Authorization field looked up whole in a table of known tokens, the principal found put on the request, in the same form as Gatehouse's middleware: a callback preHandler on Fastify, a middleware that is not async on Hono). It parses nothing, checks no expiry and copies no principal, so it is no authentication anyone should ship; what it costs, every authenticating middleware pays, and the room between its ratio and a target is all a real check has. Where floorJwt itself sits near a target, no middleware can meet it.",
    '',
  ];
}
