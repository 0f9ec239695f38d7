import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('origin concurrency', () => {
  it('after 429s, lets fewer requests go at once, and grows back one per round of successes', async () => {
    const { OriginConcurrency } = await import('../../src/client/origin-concurrency.ts');
    const gate = new OriginConcurrency();
    const first = await Promise.all(Array.from({ length: 50 }, () => gate.enter('o')));
    for (let i = 0; i < 50; i++) gate.tooMany('o'); // the whole burst came back 429
    for (const leave of first) leave();
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const leave = await gate.enter('o');
        peak = Math.max(peak, ++inFlight);
        await sleep(5);
        inFlight--;
        gate.accepted('o');
        leave();
      }),
    );
    // sqrt(2 × 50) ≈ 10: additive increase of 1/limit per success.
    assert.ok(peak > 1 && peak <= 11, `peak ${peak}`);
  });
});
