import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { perOriginState } from '../../src/client/create-client.ts';
import { createClient, HttpError, type TimeoutError } from '../../src/client/index.ts';
import { OriginCooldown } from '../../src/client/origin-cooldown.ts';
import { MAX_ORIGINS_HELD } from '../../src/client/origin-table.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('origin cooldown', () => {
  it('a 429 with Retry-After pauses every request of the client to that origin, not only the one that got it', async () => {
    let refusedAt = 0;
    const s = await serve((_req, res, _body, index) => {
      if (index === 0) {
        refusedAt = Date.now();
        return json(res, 429, {}, { 'retry-after': '1' });
      }
      json(res, 200, {});
    });
    let second: Promise<Response> | undefined;
    const client = createClient({
      baseUrl: s.url,
      // While the first request waits out its 429, a second one starts.
      onRetry: () => {
        second ??= client.get('other');
      },
    });
    await client.get('first');
    await second;
    assert.equal(s.received.length, 3, 'the second request never collected a 429 of its own');
    const secondArrival = s.received.find((r) => r.url === '/other')!.at;
    assert.ok(
      secondArrival - refusedAt >= 950,
      `the second request arrived ${secondArrival - refusedAt} ms after the 429`,
    );
  });

  it('does not pause requests to another origin', async () => {
    const a = await serve((_req, res, _body, index) =>
      index === 0 ? json(res, 503, {}, { 'retry-after': '2' }) : json(res, 200, {}),
    );
    const b = await serve((_req, res) => json(res, 200, {}));
    const client = createClient({ retry: { limit: 1 } });
    const slow = client.get(a.url);
    await sleep(50);
    const start = Date.now();
    await client.get(b.url);
    assert.ok(Date.now() - start < 500);
    await slow;
  });

  it('fails fast, without sending, when the origin asked for a wait longer than maxRetryAfter', async () => {
    const s = await serve((_req, res) => json(res, 429, {}, { 'retry-after': '3600' }));
    const strict = createClient({ baseUrl: s.url });
    await strict.get('a').catch(() => {});
    const error = await strict.get('b').catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.match(error.message, /Not sent: .* asked this client to wait/);
    assert.equal(s.received.length, 1);
  });
});

describe('pacing from the RateLimit fields', () => {
  // A server with a budget per window of its own, telling it in the fields on every answer.
  const budgetServer = (budget: number, windowMs: number) => {
    let windowStart = Date.now();
    let used = 0;
    let refused = 0;
    const handler = (_req: unknown, res: Parameters<typeof json>[0]) => {
      const now = Date.now();
      if (now - windowStart >= windowMs) {
        windowStart = now;
        used = 0;
      }
      const t = Math.ceil((windowStart + windowMs - now) / 1000);
      const fields = { 'ratelimit-policy': `"w";q=${budget};w=${Math.ceil(windowMs / 1000)}` };
      if (used >= budget) {
        refused++;
        return json(res, 429, {}, { ...fields, ratelimit: `"w";r=0;t=${t}`, 'retry-after': String(t) });
      }
      used++;
      json(res, 200, {}, { ...fields, ratelimit: `"w";r=${budget - used};t=${t}` });
    };
    return { handler, refused: () => refused };
  };

  it('never sends into a 429 when the fields say nothing remains: 4 concurrent loops, 12 requests, budget 5 per second', async () => {
    const budget = budgetServer(5, 1000);
    const s = await serve(budget.handler);
    const client = createClient({ baseUrl: s.url });
    let work = 12;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (work > 0) {
          work--;
          assert.equal((await client.get('work')).status, 200);
        }
      }),
    );
    assert.equal(budget.refused(), 0, 'no request was sent into a 429');
    assert.equal(s.received.length, 12, 'every request was sent once');
    // 12 requests at 5 per window need three windows: the client waited for the resets.
    assert.ok(Date.now() - started >= 1900, `took ${Date.now() - started} ms`);
  });

  it('an answer read out of order (another connection) cannot raise the quota above what the server has left', () => {
    const pacing = new OriginCooldown();
    const origin = 'http://api.test';
    const answer = (r: number) => new Response(null, { headers: { ratelimit: `"default";r=${r};t=10` } });
    for (let i = 0; i < 3; i++) assert.equal(pacing.pace(origin, 0), 0);
    // The server counted A (r=7), B (r=6), C (r=5); C's answer is read first, then A's.
    pacing.settle(origin, answer(5), 0); // 5 left, less B still in flight and A: 3
    pacing.settle(origin, answer(7), 0); // A is older than C: still 5 left, less B: 4
    for (let i = 0; i < 4; i++) assert.equal(pacing.pace(origin, 0), 0, `request ${i + 1} of the 4 left`);
    assert.equal(pacing.pace(origin, 0), 10_000, 'the fifth waits for the reset');
    // B's answer: B was counted before C, so 5 left less the 4 in flight: one more may go.
    pacing.settle(origin, answer(6), 0);
    assert.equal(pacing.pace(origin, 0), 0);
    assert.equal(pacing.pace(origin, 0), 10_000);
    assert.equal(pacing.pace(origin, 10_000), 0, 'the window reset: the quota is forgotten');
  });

  it('holds the next request until the window resets (t), then sends it', async () => {
    const s = await serve((_req, res, _body, index) =>
      json(res, 200, {}, { ratelimit: `"default";r=${index === 0 ? 0 : 5};t=1` }),
    );
    const client = createClient({ baseUrl: s.url });
    await client.get('a');
    await client.get('b');
    const gap = s.received[1]!.at - s.received[0]!.at;
    assert.ok(gap >= 900, `the second request went ${gap} ms after the first, before the reset`);
  });

  it('a total deadline shorter than the window wins: TimeoutError at once, nothing sent', async () => {
    const s = await serve((_req, res) => json(res, 200, {}, { ratelimit: '"default";r=0;t=30' }));
    const client = createClient({ baseUrl: s.url, timeout: { total: 300 } });
    await client.get('a');
    const started = Date.now();
    await assert.rejects(client.get('b'), (error: TimeoutError) => {
      assert.equal(error.code, 'ERR_GATEHOUSE_TIMEOUT');
      assert.equal(error.which, 'total');
      assert.match(error.message, /said no requests remain for 30 s/);
      return true;
    });
    assert.ok(Date.now() - started < 250, 'failed fast rather than sleeping into the deadline');
    assert.equal(s.received.length, 1, 'the held request was never sent');
  });

  it('a held request is abortable, and a wait is bounded by retry.maxRetryAfter', async () => {
    const s = await serve((_req, res, _body, index) =>
      json(res, 200, {}, { ratelimit: `"default";r=${index === 0 ? 0 : 9};t=30` }),
    );
    const client = createClient({ baseUrl: s.url, retry: { maxRetryAfter: 300 } });
    await client.get('a');
    const controller = new AbortController();
    const aborted = client.get('b', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await assert.rejects(aborted, /caller gave up/);
    assert.equal(s.received.length, 1, 'the aborted request was never sent');
    const started = Date.now();
    assert.equal((await client.get('c')).status, 200);
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 2000, `waited ${waited} ms, not the 30 s window`);
  });
});

describe('what the client holds per origin is bounded', () => {
  // Linux routes all of 127/8 to the loopback interface, so one server on 0.0.0.0 is reached
  // through as many origins (127.0.b.a:port) as a test needs; elsewhere only 127.0.0.1 answers.
  const skip = process.platform !== 'linux' && 'needs every 127.x.y.z to reach loopback (Linux)';
  const originsOf = (port: number, count: number) =>
    Array.from({ length: count }, (_, i) => `http://127.0.${Math.floor(i / 250)}.${1 + (i % 250)}:${port}`);
  const inBatches = async <T>(items: T[], each: (item: T) => Promise<unknown>) => {
    for (let i = 0; i < items.length; i += 32) await Promise.all(items.slice(i, i + 32).map(each));
  };

  it(`1,200 origins, each leaving a closed window (RateLimit r=0 or 429 Retry-After): at most ${MAX_ORIGINS_HELD} are held, and the latest still hold their window`, {
    skip,
  }, async () => {
    const s = await serve(
      (req, res) =>
        req.url === '/busy'
          ? json(res, 429, {}, { 'retry-after': '60', connection: 'close' })
          : json(res, 200, {}, { ratelimit: '"default";r=0;t=60', connection: 'close' }),
      { host: '0.0.0.0' },
    );
    const origins = originsOf(s.port, 1_200);
    const path = (i: number) => (i % 2 === 0 ? '/quota' : '/busy');
    const client = createClient({ retry: { limit: 0 }, throwHttpErrors: false, timeout: { total: 2_000 } });
    await inBatches([...origins.keys()], async (i) => {
      const response = await client.get(origins[i] + path(i));
      assert.equal(response.status, i % 2 === 0 ? 200 : 429);
    });
    assert.equal(s.received.length, 1_200);
    const held = perOriginState.get(client)!;
    assert.ok(
      held.cooldown.originsHeld <= MAX_ORIGINS_HELD,
      `cooldowns and quotas held for ${held.cooldown.originsHeld} origins`,
    );
    assert.ok(
      held.concurrency.originsHeld <= MAX_ORIGINS_HELD,
      `concurrency gates held for ${held.concurrency.originsHeld} origins`,
    );
    // The origins used last keep what they know: nothing is sent into their closed windows.
    for (let i = 1_168; i < 1_200; i++) {
      const error = await client.get(origins[i] + path(i)).catch((e: unknown) => e);
      assert.ok(error instanceof Error, `origin ${i} answered instead of being held`);
      assert.match(error.message, /Not sent/);
    }
    assert.equal(s.received.length, 1_200, 'no request went into a window the client knew was closed');
  });

  it('calls to 300 origins that set no limit leave nothing held once answered', { skip }, async () => {
    const s = await serve((_req, res) => json(res, 200, {}, { connection: 'close' }), { host: '0.0.0.0' });
    const client = createClient();
    await inBatches(originsOf(s.port, 300), (origin) => client.get(origin));
    const held = perOriginState.get(client)!;
    assert.equal(held.cooldown.originsHeld, 0);
    assert.equal(held.concurrency.originsHeld, 0);
  });
});
