import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, HttpError, type RetryEvent, TimeoutError } from '../../src/client/index.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('deadlines', () => {
  it('bounds each attempt, and retries a GET that timed out', async () => {
    const s = await serve(async (_req, res, _body, index) => {
      if (index < 2) await sleep(400);
      json(res, 200, { index });
    });
    const client = createClient({ baseUrl: s.url, timeout: { attempt: 100 }, retry: { baseDelay: 1 } });
    assert.deepStrictEqual(await (await client.get('x')).json(), { index: 2 });
  });

  it('throws TimeoutError("attempt") when every attempt is too slow', async () => {
    const s = await serve(async (_req, res) => {
      await sleep(300);
      json(res, 200, {});
    });
    const error = await createClient({ baseUrl: s.url, timeout: { attempt: 50 }, retry: { limit: 1, baseDelay: 1 } })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.which, 'attempt');
    assert.equal(error.attempts, 2);
    assert.match(error.message, /per-attempt timeout of 50 ms/);
  });

  it('throws TimeoutError("total") when the whole call runs out of time, waits included', async () => {
    const s = await serve(async (_req, res) => {
      await sleep(2000);
      json(res, 200, {});
    });
    const start = Date.now();
    const error = await createClient({ baseUrl: s.url, timeout: { total: 300 } })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.which, 'total');
    assert.ok(Date.now() - start < 1500);
  });

  it('still times out while the garbage collector runs (a Request in flight is held)', async () => {
    const { execFile } = await import('node:child_process');
    const { join } = await import('node:path');
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', join(import.meta.dirname, '../support/gc-abort-worker.ts')],
        { timeout: 20_000 },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    );
    const { outcome, ms } = JSON.parse(stdout);
    assert.equal(outcome, 'TimeoutError');
    assert.ok(ms < 1500, `ended after ${ms} ms`);
  });

  it('schedules no retry when less budget is left than its delay', async () => {
    const s = await serve((_req, res) => json(res, 503, {}, { 'retry-after': '5' }));
    const start = Date.now();
    const error = await createClient({ baseUrl: s.url, timeout: { total: 1000 } })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(s.received.length, 1);
    assert.ok(Date.now() - start < 800, 'it did not sleep until the deadline');
    assert.match(error.message, /after the total deadline/);
  });

  it("the caller's AbortSignal cancels a wait at once", async () => {
    const s = await serve((_req, res) => json(res, 503, {}, { 'retry-after': '30' }));
    const controller = new AbortController();
    const events: RetryEvent[] = [];
    const pending = createClient({ baseUrl: s.url, onRetry: (e) => events.push(e) }).get('x', {
      signal: controller.signal,
    });
    await sleep(100);
    const start = Date.now();
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    assert.ok(Date.now() - start < 200);
    assert.equal((error as Error).name, 'AbortError');
    assert.equal(events.length, 1);
  });

  it("the caller's AbortSignal cancels an attempt in flight", async () => {
    const s = await serve(async (_req, res) => {
      await sleep(2000);
      json(res, 200, {});
    });
    const pending = createClient({ baseUrl: s.url }).get('x', { signal: AbortSignal.timeout(100) });
    const error = await pending.catch((e: unknown) => e);
    assert.equal((error as Error).name, 'TimeoutError');
    assert.ok(!(error instanceof TimeoutError), "the caller's own reason comes back, not the client's");
  });
});
