/**
 * What the fuzzers throw arbitrary input at: every parser of the shared model, and the guard
 * with random headers. Shared by `npm test` (a few thousand cases) and `npm run fuzz` (100,000+).
 */
import fc from 'fast-check';
import {
  parseAuthorization,
  parseChallenges,
  parseProblem,
  parseRateLimit,
  parseRetryAfter,
} from '../../src/http/index.ts';
import { apiKeyScheme, bearerScheme, createGuard, memoryApiKeys } from '../../src/server/index.ts';
import { anyString } from './arbitraries.ts';

const headerValue = fc.oneof(
  anyString,
  fc
    .constantFrom('Basic ', 'Bearer ', 'Digest ', 'Negotiate ', 'bearer', 'Basic Og==', 'Bearer a.b.c')
    .chain((prefix) => anyString.map((rest) => prefix + rest)),
);

// Basic is left out of the time bound on purpose: every Basic attempt costs one argon2id hash
// (about 40 ms), an unknown user included, so that timing reveals nothing. Its parsing is fuzzed
// through parseAuthorization above.
const guard = createGuard({
  schemes: [
    bearerScheme({ jwt: { key: 'fuzz-secret-of-at-least-32-bytes-long!', algorithms: ['HS256'] } }),
    apiKeyScheme({ header: 'X-API-Key', keys: memoryApiKeys() }),
  ],
});

export const targets: Record<string, fc.Arbitrary<() => unknown>> = {
  parseChallenges: anyString.map((s) => () => parseChallenges(s)),
  parseAuthorization: anyString.map((s) => () => parseAuthorization(s)),
  parseRetryAfter: fc.tuple(anyString, anyString).map(
    ([v, d]) =>
      () =>
        parseRetryAfter(v, { date: d }),
  ),
  parseRateLimit: fc.tuple(anyString, anyString, anyString).map(
    ([a, b, c]) =>
      () =>
        parseRateLimit({ RateLimit: a, 'RateLimit-Policy': b, 'X-RateLimit-Reset': c }),
  ),
  parseProblem: fc.oneof(anyString, fc.json()).map((s) => () => parseProblem(s)),
  'digest credentials': anyString.map((s) => () => parseAuthorization(`Digest ${s}`)),
  guard: fc
    .record({
      authorization: fc.option(headerValue),
      key: fc.option(anyString),
      cookie: fc.option(anyString),
      method: fc.constantFrom('GET', 'POST', 'OPTIONS'),
    })
    .map((h) => async () => {
      const headers = new Headers();
      // Only values a real header could carry reach a server.
      const set = (name: string, value: string | null) => {
        if (value !== null && /^[\t\x20-\x7e\x80-\xff]*$/.test(value)) headers.set(name, value);
      };
      set('authorization', h.authorization);
      set('x-api-key', h.key);
      set('cookie', h.cookie);
      const decision = await guard.authenticate(new Request('http://fuzz.test/', { method: h.method, headers }));
      if (decision.outcome === 'refused') guard.refusalResponse(decision.refusal);
    }),
};

/** Runs each target for `runs` cases: no exception escapes, and no case takes longer than `maxMs`. */
export async function fuzz(
  runs: number,
  maxMs = 10,
): Promise<Array<{ target: string; runs: number; slowestMs: number }>> {
  const report = [];
  for (const [target, arbitrary] of Object.entries(targets)) {
    let slowest = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, async (run) => {
        const start = performance.now();
        await run();
        const ms = performance.now() - start;
        slowest = Math.max(slowest, ms);
        // A slow case is timed twice more before it counts: the machine may have paused (GC, a
        // busy neighbour); a backtracking blow-up is slow every time.
        if (ms > maxMs) {
          let best = ms;
          for (let i = 0; i < 2 && best > maxMs; i++) {
            const again = performance.now();
            await run();
            best = Math.min(best, performance.now() - again);
          }
          if (best > maxMs) throw new Error(`${target}: one input took ${best.toFixed(1)} ms at best of three`);
        }
      }),
      { numRuns: runs },
    );
    report.push({ target, runs, slowestMs: Math.round(slowest * 100) / 100 });
  }
  return report;
}
