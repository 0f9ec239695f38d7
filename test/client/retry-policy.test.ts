import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, DEFAULT_RETRY } from '../../src/client/index.ts';

describe('retry: how long to wait', () => {
  it('backs off exponentially with full jitter under a cap', () => {
    const top = { ...DEFAULT_RETRY, baseDelay: 100, maxDelay: 1000, random: () => 0.999999 };
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, top)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.equal(backoffDelay(3, { ...top, random: () => 0 }), 0);
    assert.equal(backoffDelay(3, { ...top, random: () => 0.5 }), 200);
  });
});
