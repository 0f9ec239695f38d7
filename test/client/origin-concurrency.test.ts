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

describe('origin concurrency: what it keeps', () => {
  it('requests woken as the limit is lifted are counted with those that come next', async () => {
    const { OriginConcurrency } = await import('../../src/client/origin-concurrency.ts');
    const gate = new OriginConcurrency();
    const leave = gate.tryEnter('o')!;
    gate.tooMany('o'); // limit 1, held by the one in flight
    const waiting = gate.enter('o');
    // Successes (1/limit each) wake the waiter and lift the limit back to unlimited; then the first place is given back.
    for (let i = 0; i < 40_000; i++) gate.accepted('o');
    leave();
    const leaveWoken = await waiting;
    assert.equal(gate.originsHeld, 0, 'an origin back to unlimited keeps no gate, only its count of places');
    gate.tooMany('o');
    assert.equal(gate.tryEnter('o'), undefined, 'a 429 now counts the woken request in flight');
    leaveWoken();
    assert.equal(gate.originsHeld, 1, 'an origin told "too many" keeps its smaller limit once idle');
  });
});
