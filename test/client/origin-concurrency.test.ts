import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Client, perOriginState } from '../../src/client/create-client.ts';
import { createClient } from '../../src/client/index.ts';
import { json, serverPerTest } from '../support/server.ts';

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

describe('origin concurrency, through a client: every place comes back', () => {
  const serve = serverPerTest();
  // With no place counted, a 429 leaves a limit of 1 and that place free; a place never given back takes it.
  const noPlaceHeld = (client: Client, origin: string) => {
    const { concurrency } = perOriginState.get(client)!;
    concurrency.tooMany(origin);
    const leave = concurrency.tryEnter(origin);
    leave?.();
    return leave !== undefined;
  };

  it('after 503s with Retry-After bring the limit to 1, calls aborted or timed out while waiting for a place, or mid-attempt, give back every place', {
    timeout: 15_000, // a place kept would leave the calls with no signal waiting for ever
  }, async () => {
    let n = 0;
    const s = await serve(async (_req, res) => {
      const i = n++;
      await sleep(i < 5 ? 30 : 3);
      if (i < 5) return json(res, 503, {}, { 'retry-after': '0' });
      json(res, 200, {});
    });
    const client = createClient({
      baseUrl: s.url,
      retry: { limit: 3, baseDelay: 1, maxDelay: 2 },
      throwHttpErrors: false,
      timeout: { attempt: 5, total: 300 },
    });
    const settle = (p: Promise<Response>) =>
      p.then(
        (r) => r.arrayBuffer(),
        (e: unknown) => e,
      );
    const first = Array.from({ length: 5 }, () => settle(client.get('a')));
    await sleep(10);
    const controllers = Array.from({ length: 60 }, () => new AbortController());
    const rest = controllers.map((c, i) => settle(client.get('b', i % 2 ? { signal: c.signal } : {})));
    setTimeout(() => {
      for (const c of controllers) c.abort();
    }, 35);
    await Promise.all([...first, ...rest]);
    assert.ok(noPlaceHeld(client, s.origin), 'a place stayed taken after every call ended');
  });
});
