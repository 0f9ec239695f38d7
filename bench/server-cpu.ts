/**
 * The server CPU per request over sockets (bench/run.ts, section 4) judged as issue 20 asks: what each
 * configuration adds to no authentication on the same framework, beside the peers and the
 * framework's own empty middleware.
 */
import type { Spread } from './lib.ts';

type PerFramework = Record<string, Record<string, Spread>>;

const PEERS: Record<string, string> = { fastify: '@fastify/jwt', hono: 'hono/jwt', express: 'express-jwt' };
const CACHED_JWT = ['jwtHs256', 'jwtEs256'];
const NOOP_MARGIN_US = 2;

/**
 * µs of server CPU per request over noAuth, per framework and configuration: the difference round
 * by round (the rounds of a framework's configurations are interleaved, so round i of each was
 * measured side by side), one decimal.
 */
export function serverCpuAdded(serverCpu: PerFramework): PerFramework {
  const round = (n: number) => Math.round(n * 10) / 10;
  return Object.fromEntries(
    Object.entries(serverCpu).map(([framework, variants]) => {
      const base = variants['noAuth'];
      const added = Object.entries(variants).flatMap(([variant, s]): Array<[string, Spread]> => {
        if (!base || variant === 'noAuth') return [];
        const n = Math.min(s.rounds.length, base.rounds.length);
        const diffs = s.rounds.slice(0, n).map((v, i) => v - base.rounds[i]!);
        const sorted = [...diffs].sort((a, b) => a - b);
        const median = n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
        return [
          [
            variant,
            { median: round(median), min: round(sorted[0]!), max: round(sorted.at(-1)!), rounds: diffs.map(round) },
          ],
        ];
      });
      return [framework, Object.fromEntries(added)];
    }),
  );
}

/** The socket targets: cached JWT's added CPU ≤ 1/5 of the best peer's, and within 2 µs of the empty middleware's. */
export function serverCpuTargets(r: Record<string, unknown>): Array<[string, boolean | undefined, string]> {
  const added = r['serverCpuAddedUs'] as PerFramework | undefined;
  if (!added) return [];
  const us = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} µs`;
  const peers = Object.keys(PEERS).filter((f) => added[f]?.['peerJwt']);
  const best = peers.sort((a, b) => added[a]!['peerJwt']!.median - added[b]!['peerJwt']!.median)[0];
  const out: Array<[string, boolean | undefined, string]> = [];
  for (const [framework, variants] of Object.entries(added)) {
    const jwts = CACHED_JWT.filter((v) => variants[v]);
    if (jwts.length === 0) continue;
    const figures = jwts.map((v) => `${v} ${us(variants[v]!.median)}`).join(', ');
    if (best) {
      const bar = added[best]!['peerJwt']!.median / 5;
      out.push([
        `sockets ${framework}: Gatehouse's cached JWT adds ≤ 1/5 of the best peer's server CPU`,
        jwts.every((v) => variants[v]!.median <= bar),
        `${figures}; best peer ${PEERS[best]} on ${best} ${us(added[best]!['peerJwt']!.median)}, so ≤ ${bar.toFixed(1)} µs`,
      ]);
    }
    const noop = variants['noopMiddleware'];
    const floor = variants['floorJwt'];
    out.push([
      `sockets ${framework}: cached JWT within ${NOOP_MARGIN_US} µs of the framework's empty middleware`,
      noop ? jwts.every((v) => variants[v]!.median - noop.median <= NOOP_MARGIN_US) : undefined,
      noop
        ? `${figures}; noopMiddleware ${us(noop.median)}${floor ? `, floorJwt ${us(floor.median)}` : ''}`
        : `${figures}; no noopMiddleware figure in these results`,
    ]);
  }
  return out;
}
