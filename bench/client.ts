/**
 * Section 1 of the bench, judged as issue 20 asks: Gatehouse over fetch beside raw fetch (requests/s
 * and client CPU per request), and over `undiciTransport()` beside raw `undici.request`.
 */
import type { Spread } from './lib.ts';

export const CLIENTS = ['fetch', 'fetchThin', 'undiciRaw', 'gatehouse', 'gatehouseUndici', 'ky', 'got', 'axios'];

interface ClientFigures {
  rps: Record<string, Spread>;
  cpuUsPerRequest: Record<string, Spread>;
  concurrency: number;
}

/** Results from before the raw undici client was named `undiciRaw` read as if it were. */
export function clientFigures(r: Record<string, unknown>): ClientFigures {
  const c = r['client'] as ClientFigures;
  const rename = (m: Record<string, Spread>) =>
    'undici' in m && !('undiciRaw' in m)
      ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k === 'undici' ? 'undiciRaw' : k, v]))
      : m;
  return { ...c, rps: rename(c.rps), cpuUsPerRequest: rename(c.cpuUsPerRequest) };
}

/**
 * a ÷ b round by round: the clients run interleaved by round, so round i of each was measured side by
 * side. Three decimals, so a median of 0.947 does not read as a met 0.95.
 */
function perRound(a: Spread, b: Spread): Spread {
  const n = Math.min(a.rounds.length, b.rounds.length);
  const values = a.rounds.slice(0, n).map((v, i) => v / b.rounds[i]!);
  const sorted = [...values].sort((x, y) => x - y);
  const median = n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { median: r(median), min: r(sorted[0]!), max: r(sorted.at(-1)!), rounds: values.map(r) };
}

const show = (s: Spread) => `${s.median.toFixed(3)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

/** The client targets of issue 20, each judged on the median of its round-by-round ratios. */
export function clientTargets(r: Record<string, unknown>): Array<[string, boolean | undefined, string]> {
  const { rps, cpuUsPerRequest: cpu } = clientFigures(r);
  const out: Array<[string, boolean | undefined, string]> = [];
  const pair = (what: string, a: Spread | undefined, b: Spread | undefined, ok: (x: number) => boolean) => {
    if (!a || !b) return out.push([what, undefined, 'not measured in these results']);
    const ratio = perRound(a, b);
    return out.push([what, ok(ratio.median), show(ratio)]);
  };
  pair(
    'client: Gatehouse over fetch ≥ 0.95 × raw fetch in requests/s',
    rps['gatehouse'],
    rps['fetch'],
    (x) => x >= 0.95,
  );
  pair(
    'client: Gatehouse over fetch ≤ 1.05 × raw fetch in client CPU per request',
    cpu['gatehouse'],
    cpu['fetch'],
    (x) => x <= 1.05,
  );
  pair(
    'client: Gatehouse over undiciTransport() ≥ 0.8 × raw undici.request in requests/s',
    rps['gatehouseUndici'],
    rps['undiciRaw'],
    (x) => x >= 0.8,
  );
  return out;
}
