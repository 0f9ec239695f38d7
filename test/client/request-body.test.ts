import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, HttpError } from '../../src/client/index.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();

describe('bodies', () => {
  const failOnce = () => serve((_req, res, _body, index) => json(res, index === 0 ? 503 : 200, {}));

  const replayable: Array<[string, () => BodyInit, string | RegExp]> = [
    ['a string', () => 'hello', 'hello'],
    ['bytes', () => new Uint8Array([104, 105]), 'hi'],
    ['an ArrayBuffer', () => new Uint8Array([111, 107]).buffer, 'ok'],
    ['a Blob', () => new Blob(['blob body']), 'blob body'],
    ['URLSearchParams', () => new URLSearchParams({ a: '1', b: 'two words' }), 'a=1&b=two+words'],
    [
      'FormData',
      () => {
        const form = new FormData();
        form.set('field', 'value');
        return form;
      },
      /name="field"\r\n\r\nvalue\r\n/,
    ],
  ];
  for (const [what, make, expected] of replayable) {
    it(`sends ${what} again, unchanged, on retry`, async () => {
      const s = await failOnce();
      const response = await createClient({ baseUrl: s.url, retry: { baseDelay: 1 } }).put('x', { body: make() });
      assert.equal(response.status, 200);
      assert.equal(s.received.length, 2);
      for (const r of s.received) {
        if (typeof expected === 'string') assert.equal(r.body.toString(), expected);
        else assert.match(r.body.toString(), expected);
      }
    });
  }

  it('does not retry a ReadableStream body, and says why', async () => {
    const s = await failOnce();
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const error = await createClient({ baseUrl: s.url, retry: { baseDelay: 1 } })
      .put('x', { body: stream })
      .catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(s.received.length, 1);
    assert.match(error.message, /one-shot ReadableStream.*body: \(\) => stream/);
  });

  it('retries a stream given as a factory, with a fresh stream each time', async () => {
    const s = await failOnce();
    let made = 0;
    const body = () => {
      made++;
      return new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('fresh stream'));
          controller.close();
        },
      });
    };
    assert.equal((await createClient({ baseUrl: s.url, retry: { baseDelay: 1 } }).put('x', { body })).status, 200);
    assert.equal(made, 2);
    assert.deepStrictEqual(
      s.received.map((r) => r.body.toString()),
      ['fresh stream', 'fresh stream'],
    );
  });

  it('replays the body of a Request object', async () => {
    const s = await failOnce();
    const response = await createClient({ retry: { baseDelay: 1 } }).fetch(
      new Request(`${s.url}x`, { method: 'PUT', body: 'from a Request' }),
    );
    assert.equal(response.status, 200);
    assert.deepStrictEqual(
      s.received.map((r) => r.body.toString()),
      ['from a Request', 'from a Request'],
    );
  });
});
