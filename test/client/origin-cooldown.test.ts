import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, HttpError } from '../../src/client/index.ts';
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
