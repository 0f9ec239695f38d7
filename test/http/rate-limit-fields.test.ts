import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRateLimit, rateLimitFields } from '../../src/http/index.ts';

describe('rateLimitFields', () => {
  it('writes the structured-field form, which parseRateLimit reads back', () => {
    const fields = rateLimitFields({
      policy: 'default',
      quota: 100,
      windowSeconds: 60,
      remaining: 42,
      resetSeconds: 17,
    });
    assert.deepEqual(fields, { 'RateLimit-Policy': '"default";q=100;w=60', RateLimit: '"default";r=42;t=17' });
    const info = parseRateLimit(new Headers(fields));
    assert.equal(info?.source, 'RateLimit');
    assert.deepEqual(
      [info?.policy, info?.limit, info?.remaining, info?.resetMs, info?.windowMs],
      ['default', 100, 42, 17_000, 60_000],
    );
  });

  for (const [what, state, expected] of [
    ['a negative remaining is 0', { remaining: -3, resetSeconds: 1.2 }, '"p";r=0;t=2'],
    ['a fractional reset rounds up', { remaining: 2.7, resetSeconds: 0.001 }, '"p";r=2;t=1'],
    ['NaN is 0', { remaining: Number.NaN, resetSeconds: Number.NaN }, '"p";r=0;t=0'],
  ] as const) {
    it(`clamps counts to non-negative Integers: ${what}`, () => {
      const fields = rateLimitFields({ policy: 'p', quota: 5, windowSeconds: 1, ...state });
      assert.equal(fields.RateLimit, expected);
    });
  }

  for (const policy of ['', 'a"b', 'a;r=9', 'two words', 'x'.repeat(65)])
    it(`refuses the policy name ${JSON.stringify(policy.slice(0, 12))} with a coded error`, () => {
      assert.throws(
        () => rateLimitFields({ policy, quota: 1, windowSeconds: 1, remaining: 0, resetSeconds: 0 }),
        (error: { code?: string }) => error.code === 'ERR_GATEHOUSE_INVALID_ARGUMENT',
      );
    });
});
