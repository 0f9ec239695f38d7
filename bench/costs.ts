/**
 * What the later issues' features cost per request, in-process, each beside what it adds to
 * (workers/feature-costs.ts): a DPoP proof and an introspected token (cached) beside a plain
 * Bearer check in the guard, a client call paced by RateLimit fields beside the same call without them.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { progress, run, type Spread, spread, WORKERS } from './lib.ts';

interface Round {
  ns: number;
  cpuNs: number;
}

const VARIANTS = ['bearer', 'dpop', 'introspectionCached', 'client', 'rateLimitPaced'] as const;
type Variant = (typeof VARIANTS)[number];
/** What each feature is measured beside. */
const BASELINE: Partial<Record<Variant, Variant>> = {
  dpop: 'bearer',
  introspectionCached: 'bearer',
  rateLimitPaced: 'client',
};

/** results.json's `costs`: µs per request (wall, one at a time), its CPU, and what each adds to its baseline. */
export interface FeatureCosts extends Record<Variant, Spread> {
  cpuUs: Record<Variant, Spread>;
  /** Round by round, the feature's CPU µs less its baseline's in the same round. */
  addedUs: Record<string, Spread>;
  /** Round by round, the feature's CPU µs over its baseline's. */
  ratio: Record<string, Spread>;
  requestsPerRound: number;
  /** The 1-minute load average when the run began, and the cores it shares (the machine may be shared). */
  load: { average: number; cores: number };
}

/** µs from ns, keeping three decimals (spread() keeps one, too coarse for a Bearer check). */
function micro(values: number[]): Spread {
  const s = spread(values);
  const us = (n: number) => Math.round(n) / 1000;
  return { median: us(s.median), min: us(s.min), max: us(s.max), rounds: s.rounds.map(us) };
}

export async function featureCosts(quick: boolean): Promise<FeatureCosts> {
  // Many short rounds, interleaved in one process: no variant is measured in a quieter moment of the machine.
  const rounds = quick ? 3 : 11;
  const requestsPerRound = quick ? 500 : 2000;
  const load = { average: Math.round(loadavg()[0]! * 10) / 10, cores: cpus().length };
  progress(`feature costs in-process: ${rounds} rounds of ${requestsPerRound} requests`);
  const out = await run<Record<Variant, Round[]>>(join(WORKERS, 'feature-costs.ts'), [
    String(rounds),
    String(requestsPerRound),
  ]);
  const of = (pick: (r: Round) => number) =>
    Object.fromEntries(VARIANTS.map((v) => [v, micro(out[v].map(pick))])) as Record<Variant, Spread>;
  const against = (combine: (feature: number, base: number) => number, summary: (values: number[]) => Spread) =>
    Object.fromEntries(
      Object.entries(BASELINE).map(([v, base]) => [
        v,
        summary(out[v as Variant].map((r, i) => combine(r.cpuNs, out[base][i]!.cpuNs))),
      ]),
    );
  return {
    ...of((r) => r.ns),
    cpuUs: of((r) => r.cpuNs),
    addedUs: against((feature, base) => feature - base, micro),
    ratio: against((feature, base) => feature / base, spread),
    requestsPerRound,
    load,
  };
}

const ROWS: Array<[Variant, string]> = [
  ['bearer', 'Bearer (ES256 JWT, cached)'],
  ['dpop', 'DPoP: the same JWT + a fresh proof'],
  ['introspectionCached', 'introspected opaque token, answer cached'],
  ['client', 'client call (answers without RateLimit fields)'],
  ['rateLimitPaced', 'client call paced by RateLimit fields, budget not spent'],
];

/** BENCHMARKS.md's section on the features' costs, when the results have them. */
export function costsSection(r: Record<string, unknown>): string[] {
  const c = r['costs'] as FeatureCosts | undefined;
  if (!c) return [];
  const when =
    typeof r['costsDate'] === 'string' ? ` (measured on ${r['costsDate'].slice(0, 10)} with \`--only costs\`)` : '';
  // Two decimals for figures under 10 µs (a Bearer check), one above; one row, one precision.
  const fmt = (s: Spread | undefined, digits = Math.abs(s?.median ?? 0) < 10 ? 2 : 1) =>
    s ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)} to ${s.max.toFixed(digits)})` : '';
  return [
    '## 6. What the later features cost per request',
    '',
    `In-process, with no network and no framework${when}: ${c.requestsPerRound} requests per round, one at a time, the five interleaved round by round (the order turning), median (min to max) of ${c.bearer.rounds.length} rounds${c.load ? `, the machine's load average ${c.load.average} on ${c.load.cores} cores when it began` : ''}. CPU is the process's time per request on all its threads; the added CPU µs and × are taken from it round by round, against the baseline measured in the same round (on a shared machine the wall time of a round also counts the time the process waited for a core, CPU time does not).`,
    '',
    '| per request | beside | µs | CPU µs | added CPU µs | × (CPU) |',
    '|---|---|---|---|---|---|',
    ...ROWS.map(([v, label]) => {
      const base = BASELINE[v];
      const beside = base === undefined ? '' : ROWS.find(([b]) => b === base)![1].split(' (')[0];
      return `| ${label} | ${beside} | ${fmt(c[v])} | ${fmt(c.cpuUs[v])} | ${fmt(c.addedUs[v])} | ${fmt(c.ratio[v], 1)} |`;
    }),
    '',
    "The guard's `decide()` on Web Requests. Bearer and DPoP carry an ES256 JWT verified before (the token cache warm). The DPoP request adds a fresh proof (ES256, signed before the timed loop): its signature checked with the key it embeds (node:crypto, at once; the key remembered by thumbprint), its thumbprint against `cnf.jkt`, htm, htu, iat and ath, and its jti spent in a memory replay cache; the signature check is most of it. The introspected token is opaque, its answer from a real RFC 7662 endpoint on loopback cached in the warm-up (the run fails if the endpoint is asked while timed).",
    '',
    "The client's `get()` through its whole pipeline (retry, redirects, cookies), over a fetch that hands over answers made before the timed loop, so that only the client is timed: answers without RateLimit fields, then the same with `RateLimit` and `RateLimit-Policy` for a budget far from spent, which the client reads on every answer to keep the origin's quota.",
    '',
  ];
}
