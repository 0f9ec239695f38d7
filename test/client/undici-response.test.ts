/**
 * The Response undiciTransport() answers with reads undici's body directly, and must behave as
 * the Response the platform's fetch gives for every documented use: each case below reads the
 * same answer of a real loopback server through the client over fetch and over undiciTransport(),
 * and expects the same outcome.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Agent } from 'undici';
import { BodyCutError, createClient, HttpError, TimeoutError } from '../../src/client/index.ts';
import { undiciTransport } from '../../src/client/undici-transport.ts';
import { serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const dispatcher = new Agent({ connections: 4 });
after(() => dispatcher.close());

const BOM = [0xef, 0xbb, 0xbf];
// A BOM, "héllo", a malformed byte, a 4-byte emoji: what UTF-8 decoding has to get right.
const TRICKY = Buffer.from([...BOM, ...Buffer.from('héllo '), 0xff, ...Buffer.from(' 🦆')]);

/** The same call over fetch and over undiciTransport(): the two responses, in that order. */
async function both(body: Buffer | string, headers: Record<string, string> = {}): Promise<[Response, Response]> {
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  });
  const overFetch = createClient();
  const overUndici = createClient({ fetch: undiciTransport({ dispatcher }) });
  return [await overFetch.get(s.url), await overUndici.get(s.url)];
}

/** What a read gives, or the kind of error it fails with. */
async function outcome(read: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await read();
    if (value instanceof ArrayBuffer) return { arrayBuffer: [...new Uint8Array(value)] };
    if (value instanceof Uint8Array) return { bytes: [...value], own: value.byteLength === value.buffer.byteLength };
    if (value instanceof Blob) return { blob: value.type, text: await value.text() };
    if (value instanceof FormData) return { form: [...value] };
    return { value };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

describe('the undiciTransport() Response, beside fetch’s', () => {
  it('is a Response with the same status, headers and flags', async () => {
    for (const response of await both('hi', { 'x-one': 'a' })) {
      assert.ok(response instanceof Response);
      assert.deepStrictEqual(
        [response.status, response.ok, response.statusText, response.redirected, response.bodyUsed],
        [200, true, 'OK', false, false],
      );
      assert.equal(response.headers.get('x-one'), 'a');
      assert.equal(await response.text(), 'hi');
      assert.equal(response.bodyUsed, true);
    }
  });

  for (const read of ['text', 'json', 'arrayBuffer', 'bytes', 'blob'] as const) {
    it(`${read}() gives what fetch's gives (a BOM dropped, malformed bytes replaced)`, async () => {
      const [fetched, direct] = await both(TRICKY);
      assert.deepStrictEqual(await outcome(() => direct[read]()), await outcome(() => fetched[read]()));
    });
  }

  it('json() parses, and fails on bad JSON with the same SyntaxError', async () => {
    const [fetched, direct] = await both('{"a":[1,2]}');
    assert.deepStrictEqual(await direct.json(), await fetched.json());
    const [badFetched, badDirect] = await both('{"a":');
    assert.deepStrictEqual(await outcome(() => badDirect.json()), await outcome(() => badFetched.json()));
  });

  it('formData() reads a form as fetch’s does', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const [fetched, direct] = await both('a=1&b=two+words', form);
    assert.deepStrictEqual(await outcome(() => direct.formData()), await outcome(() => fetched.formData()));
  });

  it('reads a large body that arrives in many chunks, byte for byte', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'gatehouse-');
    const [fetched, direct] = await both(big);
    const [a, b] = [new Uint8Array(await fetched.arrayBuffer()), new Uint8Array(await direct.arrayBuffer())];
    assert.equal(b.byteLength, big.byteLength);
    assert.ok(Buffer.from(a).equals(Buffer.from(b)));
  });

  it('body is a stream of the bytes, and the readers work after body was only looked at', async () => {
    const [fetched, direct] = await both(TRICKY);
    const streamed = async (response: Response) => Buffer.from(await new Response(response.body).arrayBuffer());
    assert.ok((await streamed(direct)).equals(await streamed(fetched)));
    const [, looked] = await both('still here');
    assert.ok(looked.body instanceof ReadableStream);
    assert.equal(await looked.text(), 'still here');
  });

  it('once read, it is used as fetch’s is: bodyUsed, a locked body, another read and a clone refused', async () => {
    const [fetched, direct] = await both('once');
    for (const response of [fetched, direct]) await response.text();
    const after = async (response: Response) => ({
      used: response.bodyUsed,
      locked: response.body?.locked,
      again: await outcome(() => response.text()),
      clone: await outcome(async () => response.clone()),
    });
    assert.deepStrictEqual(await after(direct), await after(fetched));
    assert.equal(direct.bodyUsed, true);
  });

  it('a second read while the first runs is refused as fetch’s is', async () => {
    const [fetched, direct] = await both('twice');
    const race = (response: Response) => Promise.all([outcome(() => response.text()), outcome(() => response.text())]);
    assert.deepStrictEqual(await race(direct), await race(fetched));
  });

  it('clone() before a read gives two readable copies', async () => {
    const [, direct] = await both('copied');
    const copy = direct.clone();
    assert.deepStrictEqual([await direct.text(), await copy.text()], ['copied', 'copied']);
    assert.equal(direct.bodyUsed, true);
  });

  it('an error answer: the client reads its problem details from a copy, and the caller still reads the body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(409, { 'content-type': 'application/problem+json' });
      res.end('{"title":"Taken","code":"name_taken"}');
    });
    const client = createClient({ fetch: undiciTransport({ dispatcher }) });
    const error = await client.get(s.url).catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(error.problem?.title, 'Taken');
    assert.deepStrictEqual(await error.response.json(), { title: 'Taken', code: 'name_taken' });
  });

  it('the client reads its RateLimit fields before anyone reads its headers, and the headers hold every line', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, [
        ['ratelimit', '"default";r=0;t=30'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      res.end('{}');
    });
    const client = createClient({ fetch: undiciTransport({ dispatcher }), timeout: { total: 300 } });
    const first = await client.get(s.url);
    await assert.rejects(
      client.get(s.url),
      (e: unknown) => e instanceof TimeoutError && /no requests remain/.test(e.message),
    );
    assert.equal(s.received.length, 1, 'the request held by the spent quota was never sent');
    assert.equal(first.headers.get('ratelimit'), '"default";r=0;t=30');
    assert.deepStrictEqual(first.headers.getSetCookie(), ['a=1', 'b=2']);
  });

  it('a body cut before it is read fails the later read with a BodyCutError, as one cut during the read', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"items":[');
      setTimeout(() => res.destroy(), 10);
    });
    const response = await createClient({ fetch: undiciTransport({ dispatcher }) }).get(s.url);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await assert.rejects(response.json(), (e: unknown) => e instanceof BodyCutError && e.expectedBytes === 100);
  });
});
