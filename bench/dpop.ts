/** The DPoP part of the bench: a proof verified per request beside a plain Bearer check (workers/dpop-cost.ts). */
import { join } from 'node:path';
import { progress, run, type Spread, spread, WORKERS } from './lib.ts';

interface Round {
  ns: number;
  cpuNs: number;
}

export interface DpopCost {
  bearerUs: Spread;
  dpopUs: Spread;
  /** DPoP over Bearer, round by round. */
  ratio: Spread;
  bearerCpuUs: Spread;
  dpopCpuUs: Spread;
  requestsPerRound: number;
}

/** µs from ns, keeping three decimals (spread() keeps one, too coarse for a Bearer check). */
function micro(values: number[]): Spread {
  const s = spread(values);
  const us = (n: number) => Math.round(n) / 1000;
  return { median: us(s.median), min: us(s.min), max: us(s.max), rounds: s.rounds.map(us) };
}

export async function dpopCost(quick: boolean): Promise<DpopCost> {
  // Many short rounds, interleaved in one process: neither is measured in a quieter moment of the machine.
  const rounds = quick ? 3 : 11;
  const requestsPerRound = quick ? 500 : 2000;
  progress(`DPoP beside Bearer in-process: ${rounds} rounds of ${requestsPerRound} requests`);
  const { bearer, dpop } = await run<{ bearer: Round[]; dpop: Round[] }>(join(WORKERS, 'dpop-cost.ts'), [
    String(rounds),
    String(requestsPerRound),
  ]);
  const ratios = dpop.map((d, i) => d.ns / bearer[i]!.ns);
  const r = spread(ratios);
  return {
    bearerUs: micro(bearer.map((b) => b.ns)),
    dpopUs: micro(dpop.map((d) => d.ns)),
    ratio: r,
    bearerCpuUs: micro(bearer.map((b) => b.cpuNs)),
    dpopCpuUs: micro(dpop.map((d) => d.cpuNs)),
    requestsPerRound,
  };
}

/** BENCHMARKS.md's section on DPoP, when the results have it. */
export function dpopSection(r: Record<string, unknown>): string[] {
  const d = r['dpop'] as DpopCost | undefined;
  if (!d) return [];
  const when =
    typeof r['dpopDate'] === 'string' ? ` (measured on ${r['dpopDate'].slice(0, 10)} with \`--only dpop\`)` : '';
  const fmt = (s: Spread, digits: number) =>
    `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  return [
    '## 6. DPoP beside Bearer',
    '',
    `The guard's \`decide()\` on Web Requests, in-process, with no network and no framework${when}: ${d.requestsPerRound} requests per round, one at a time, the two interleaved round by round, median (min–max) of ${d.bearerUs.rounds.length} rounds. Both carry an ES256 JWT verified before (the token cache warm); the DPoP request adds a fresh proof (ES256, signed by the client before the timed loop): its signature checked with the key it embeds, its thumbprint against \`cnf.jkt\`, htm, htu, iat and ath, and its jti spent in a memory replay cache. CPU is the process's time per request on all its threads (WebCrypto works off the main thread).`,
    '',
    '| check | µs per request | CPU µs per request |',
    '|---|---|---|',
    `| Bearer (JWT, cached) | ${fmt(d.bearerUs, 2)} | ${fmt(d.bearerCpuUs, 2)} |`,
    `| DPoP (JWT, cached, + proof) | ${fmt(d.dpopUs, 1)} | ${fmt(d.dpopCpuUs, 1)} |`,
    `| DPoP ÷ Bearer | ${fmt(d.ratio, 0)}× | |`,
    '',
  ];
}
