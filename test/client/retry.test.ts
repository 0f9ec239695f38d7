import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createClient, HttpError, NetworkError, RateLimitedError, type RetryEvent } from '../../src/client/index.ts';
import { freePort, json, startServer, type TestServer } from '../support/server.ts';

const fast = { baseDelay: 1, maxDelay: 5 };
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers from a script, one entry per request: a status, or 'reset' to kill the socket. */
async function scripted(
  script: Array<number | 'reset' | { status: number; headers: Record<string, string> }>,
): Promise<TestServer> {
  server = await startServer((req, res, _body, index) => {
    const step = script[Math.min(index, script.length - 1)]!;
    if (step === 'reset') {
      req.socket.destroy();
      return;
    }
    const { status, headers } = typeof step === 'number' ? { status: step, headers: {} } : step;
    json(res, status, { attempt: index + 1 }, headers);
  });
  return server;
}

describe('retry: which requests', () => {
  it('retries a GET through 503 and 502 to success, reporting each retry', async () => {
    const s = await scripted([503, 502, 200]);
    const events: RetryEvent[] = [];
    const client = createClient({ baseUrl: s.url, retry: fast, onRetry: (e) => events.push(e) });
    const response = await client.get('thing');
    assert.deepStrictEqual(await response.json(), { attempt: 3 });
    assert.deepStrictEqual(
      events.map((e) => [e.attempt, e.cause, e.serverAsked]),
      [
        [1, 503, false],
        [2, 502, false],
      ],
    );
  });

  it('retries 408, 429, 500 and 504 by default, but not 400, 401, 403, 404 or 501', async () => {
    for (const status of [408, 429, 500, 504]) {
      const s = await scripted([status, 200]);
      assert.equal((await createClient({ baseUrl: s.url, retry: fast }).get('x')).status, 200, String(status));
      await s.close();
    }
    for (const status of [400, 401, 403, 404, 501]) {
      const s = await scripted([status, 200]);
      const response = await createClient({ baseUrl: s.url, retry: fast, throwHttpErrors: false }).get('x');
      assert.equal(response.status, status);
      assert.equal(s.received.length, 1, String(status));
      await s.close();
    }
  });

  it('gives up after retry.limit and says so', async () => {
    const s = await scripted([503]);
    const error = await createClient({ baseUrl: s.url, retry: { ...fast, limit: 3 } })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 503);
    assert.equal(error.attempts, 4);
    assert.equal(s.received.length, 4);
    assert.match(error.message, /Gave up after 3 retries \(retry.limit\)/);
  });

  it('never retries a POST or PATCH without an Idempotency-Key, and says why', async () => {
    for (const method of ['POST', 'PATCH']) {
      const s = await scripted([503, 200]);
      const error = await createClient({ baseUrl: s.url, retry: fast })
        .fetch('x', { method, body: '{}' })
        .catch((e: unknown) => e);
      assert.ok(error instanceof HttpError, method);
      assert.equal(s.received.length, 1);
      assert.match(error.message, /not idempotent.*Idempotency-Key/);
      await s.close();
    }
  });

  it('retries a POST that carries an Idempotency-Key', async () => {
    const s = await scripted([503, 200]);
    const response = await createClient({ baseUrl: s.url, retry: fast }).post('x', {
      body: 'a',
      headers: { 'Idempotency-Key': 'k1' },
    });
    assert.equal(response.status, 200);
    assert.deepStrictEqual(
      s.received.map((r) => r.headers['idempotency-key']),
      ['k1', 'k1'],
    );
  });

  it('adds one Idempotency-Key per call, the same on every attempt, when asked', async () => {
    const s = await scripted([503, 503, 200]);
    const client = createClient({ baseUrl: s.url, retry: { ...fast, idempotencyKey: true } });
    await client.post('x', { body: 'a' });
    await client.post('x', { body: 'b' });
    const keys = s.received.map((r) => String(r.headers['idempotency-key']));
    assert.equal(keys[0], keys[1]);
    assert.equal(keys[1], keys[2]);
    assert.notEqual(keys[2], keys[3]);
    assert.match(keys[0]!, /^[0-9a-f-]{36}$/);
  });

  it('retries a GET whose connection was reset, but not a POST (it may have been applied)', async () => {
    const s = await scripted(['reset', 200]);
    assert.equal((await createClient({ baseUrl: s.url, retry: fast }).get('x')).status, 200);
    await s.close();

    const t = await scripted(['reset', 200]);
    const error = await createClient({ baseUrl: t.url, retry: fast })
      .post('x', { body: 'payment' })
      .catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
    assert.equal(error.notSent, false);
    assert.equal(t.received.length, 1);
    assert.match(error.message, /not idempotent/);
  });

  it('retries a POST whose connection was refused: nothing was sent', async () => {
    const port = await freePort();
    let started: Promise<TestServer> | undefined;
    const client = createClient({
      baseUrl: `http://127.0.0.1:${port}/`,
      retry: { ...fast, baseDelay: 200, maxDelay: 200, random: () => 1 },
      // The server comes up while the client waits to retry.
      onRetry: () => {
        started ??= startServer((_req, res) => json(res, 201, { created: true }), { port });
      },
    });
    const response = await client.post('orders', { body: 'x' });
    server = await started;
    assert.equal(response.status, 201);
    assert.equal(server!.received.length, 1);
  });

  it('reports a refused connection as a NetworkError that names the cause', async () => {
    const port = await freePort();
    const error = await createClient({ baseUrl: `http://127.0.0.1:${port}/`, retry: { ...fast, limit: 1 } })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
    assert.equal(error.code, 'ERR_GATEHOUSE_NETWORK');
    assert.equal(error.notSent, true);
    assert.equal(error.attempts, 2);
    assert.match(error.message, /connection refused/);
  });

  it("names a port fetch refuses to connect to (the Fetch standard's bad ports), which has no system code", async () => {
    // Port 6000 (X11) is a bad port: fetch fails with TypeError('fetch failed') ← Error('bad port'), no code.
    const error = await createClient({ baseUrl: 'http://127.0.0.1:6000/', retry: { ...fast, limit: 0 } })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
    assert.match(error.message, /port 6000 is one fetch refuses/);
  });

  it('does not retry a port fetch refuses: no attempt could ever reach it', async () => {
    const error = await createClient({ baseUrl: 'http://127.0.0.1:6000/', retry: { ...fast, limit: 3 } })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
    assert.equal(error.attempts, 1);
    assert.match(error.message, /after 1 attempt\b/);
    assert.match(error.message, /Not retried/);
  });
});

describe('retry: how long to wait', () => {
  it('waits the Retry-After delay-seconds', async () => {
    const s = await scripted([{ status: 429, headers: { 'retry-after': '1' } }, 200]);
    const events: RetryEvent[] = [];
    const start = Date.now();
    await createClient({ baseUrl: s.url, retry: fast, onRetry: (e) => events.push(e) }).get('x');
    const waited = s.received[1]!.at - s.received[0]!.at;
    assert.ok(waited >= 950, `waited ${waited} ms`);
    assert.ok(Date.now() - start < 3000);
    assert.deepStrictEqual([events[0]?.delayMs, events[0]?.serverAsked], [1000, true]);
  });

  it("measures a Retry-After date against the server's Date, not the local clock", async () => {
    // The server's clock is an hour behind: against the local clock its date is long past.
    const serverNow = Date.now() - 3_600_000;
    const s = await scripted([
      {
        status: 503,
        headers: { date: new Date(serverNow).toUTCString(), 'retry-after': new Date(serverNow + 2000).toUTCString() },
      },
      200,
    ]);
    const events: RetryEvent[] = [];
    await createClient({ baseUrl: s.url, retry: fast, onRetry: (e) => events.push(e) }).get('x');
    assert.ok(events[0]!.delayMs >= 1000 && events[0]!.delayMs <= 2000, `delay ${events[0]!.delayMs}`);
    assert.ok(s.received[1]!.at - s.received[0]!.at >= 900);
  });

  it('uses the reset of an exhausted RateLimit policy when there is no Retry-After', async () => {
    const s = await scripted([{ status: 429, headers: { ratelimit: '"default";r=0;t=1' } }, 200]);
    const events: RetryEvent[] = [];
    await createClient({ baseUrl: s.url, retry: fast, onRetry: (e) => events.push(e) }).get('x');
    assert.equal(events[0]!.delayMs, 1000);
  });

  it('throws RateLimitedError at once when Retry-After exceeds maxRetryAfter', async () => {
    const s = await scripted([{ status: 429, headers: { 'retry-after': '120' } }, 200]);
    const start = Date.now();
    const error = await createClient({ baseUrl: s.url, retry: fast })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.code, 'ERR_GATEHOUSE_RATE_LIMITED');
    assert.equal(error.retryAfterMs, 120_000);
    assert.equal(s.received.length, 1);
    assert.ok(Date.now() - start < 1000);
    assert.match(error.message, /wait 120 s, more than retry.maxRetryAfter/);
  });

  it('clamps a long Retry-After to maxRetryAfter when told to, and waits it out when told to', async () => {
    const s = await scripted([{ status: 503, headers: { 'retry-after': '120' } }, 200]);
    const events: RetryEvent[] = [];
    await createClient({
      baseUrl: s.url,
      retry: { ...fast, maxRetryAfter: 50, onLongRetryAfter: 'clamp' },
      onRetry: (e) => events.push(e),
    }).get('x');
    assert.equal(events[0]!.delayMs, 50);
    await s.close();

    const t = await scripted([{ status: 503, headers: { 'retry-after': '1' } }, 200]);
    const waits: RetryEvent[] = [];
    await createClient({
      baseUrl: t.url,
      retry: { ...fast, maxRetryAfter: 10, onLongRetryAfter: 'wait' },
      onRetry: (e) => waits.push(e),
    }).get('x');
    assert.equal(waits[0]!.delayMs, 1000);
  });
});
