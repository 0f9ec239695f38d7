/**
 * The client over undiciTransport(): the same pipeline (auth, retries, redirects, deadlines, body
 * guard) sending through an undici Dispatcher instead of fetch, against real loopback servers.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Agent } from 'undici';
import { BodyCutError, bearer, createClient, HttpError, NetworkError, TimeoutError } from '../../src/client/index.ts';
import { undiciTransport } from '../../src/client/undici-transport.ts';
import { freePort, json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const TOKEN = 'undici-secret-token-8c2d';
const dispatcher = new Agent({ connections: 8 });
after(() => dispatcher.close());
const transport = undiciTransport({ dispatcher });

describe('undiciTransport()', () => {
  it('sends the credentials and headers, and answers a Response with status, every header line and the body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(201, [
        ['content-type', 'application/json'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      res.end('{"made":true}');
    });
    const client = createClient({ auth: bearer(TOKEN), headers: { 'x-trace': 't-1' }, fetch: transport });
    const response = await client.get(`${s.url}things?q=1`);
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Created');
    assert.deepStrictEqual(await response.json(), { made: true });
    assert.deepStrictEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    const [got] = s.received;
    assert.equal(got!.url, '/things?q=1');
    assert.equal(got!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(got!.headers['x-trace'], 't-1');
  });

  it('sets the Content-Type fetch would set for strings, forms and multipart bodies, and sends bytes as they are', async () => {
    const s = await serve((_req, res) => json(res, 200, {}));
    const client = createClient({ fetch: transport });
    await client.post(s.url, { body: 'plain words' });
    await client.post(s.url, { body: new URLSearchParams({ a: '1', b: 'two words' }) });
    const form = new FormData();
    form.set('field', 'value');
    await client.post(s.url, { body: form });
    await client.post(s.url, {
      body: new Uint8Array([1, 2, 3]),
      headers: { 'content-type': 'application/octet-stream' },
    });
    await client.post(s.url, { body: JSON.stringify({ x: 1 }), headers: { 'content-type': 'application/json' } });
    const [text, urlencoded, multipart, bytes, explicit] = s.received;
    assert.equal(text!.headers['content-type'], 'text/plain;charset=UTF-8');
    assert.equal(text!.body.toString(), 'plain words');
    assert.equal(urlencoded!.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(urlencoded!.body.toString(), 'a=1&b=two+words');
    assert.match(multipart!.headers['content-type']!, /^multipart\/form-data; boundary=/);
    assert.match(multipart!.body.toString(), /name="field"\r\n\r\nvalue/);
    assert.deepStrictEqual([...bytes!.body], [1, 2, 3]);
    assert.equal(explicit!.headers['content-type'], 'application/json');
  });

  it('streams a ReadableStream body (made afresh for a retry by a factory) and a Blob with its type', async () => {
    const s = await serve((_req, res, _body, index) =>
      index === 0 ? json(res, 503, {}, { 'retry-after': '0' }) : json(res, 200, {}),
    );
    const client = createClient({ fetch: transport, retry: { idempotencyKey: true } });
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('chunk-1,'));
          controller.enqueue(new TextEncoder().encode('chunk-2'));
          controller.close();
        },
      });
    assert.equal((await client.post(s.url, { body: stream })).status, 200);
    await client.post(s.url, { body: new Blob(['<p/>'], { type: 'text/html' }) });
    assert.deepStrictEqual(
      s.received.map((r) => r.body.toString()),
      ['chunk-1,chunk-2', 'chunk-1,chunk-2', '<p/>'],
    );
    assert.equal(s.received[2]!.headers['content-type'], 'text/html');
  });

  it('replays a POST body on a retry when the request carries an Idempotency-Key', async () => {
    const s = await serve((_req, res, _body, index) =>
      index === 0 ? json(res, 503, {}, { 'retry-after': '0' }) : json(res, 200, { ok: true }),
    );
    const client = createClient({ fetch: transport, retry: { idempotencyKey: true } });
    const response = await client.post(s.url, { body: new URLSearchParams({ order: '42' }) });
    assert.equal(response.status, 200);
    assert.equal(s.received.length, 2);
    assert.equal(s.received[1]!.body.toString(), 'order=42');
    assert.equal(s.received[0]!.headers['idempotency-key'], s.received[1]!.headers['idempotency-key']);
  });

  it('refreshes once on a 401 and retries with the new token, as over fetch', async () => {
    const s = await serve((req, res) =>
      req.headers.authorization === 'Bearer fresh'
        ? json(res, 200, { ok: true })
        : json(res, 401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' }),
    );
    let calls = 0;
    const client = createClient({
      fetch: transport,
      auth: bearer(async () => (++calls === 1 ? 'stale' : 'fresh')),
    });
    assert.equal((await client.get(s.url)).status, 200);
    assert.equal(calls, 2);
  });

  it('leaves redirects to the client: a hop to another origin drops Authorization', async () => {
    const other = await serve((_req, res) => json(res, 200, { here: true }));
    const first = await serve((_req, res) => {
      res.writeHead(302, { location: `${other.url}landing` });
      res.end();
    });
    const client = createClient({ fetch: transport, auth: bearer(TOKEN) });
    const response = await client.get(first.url);
    assert.deepStrictEqual(await response.json(), { here: true });
    assert.equal(first.received[0]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(other.received[0]!.headers.authorization, undefined);
  });

  it('answers HEAD and 204 with no body', async () => {
    const s = await serve((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
        res.end();
        return;
      }
      res.writeHead(204);
      res.end();
    });
    const client = createClient({ fetch: transport });
    const head = await client.head(s.url);
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    const empty = await client.delete(s.url);
    assert.equal(empty.status, 204);
    assert.equal(await empty.text(), '');
  });

  it('throws the client’s own errors: HttpError, a refused connection as NetworkError (not sent), a TimeoutError', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => json(res, 200, {}), 500);
      json(res, 404, { code: 'nope' });
    });
    const client = createClient({ fetch: transport, retry: false, timeout: { attempt: 100 } });
    await assert.rejects(client.get(`${s.url}missing`), (e: unknown) => e instanceof HttpError && e.status === 404);
    await assert.rejects(
      client.get(`${s.url}slow`),
      (e: unknown) => e instanceof TimeoutError && e.which === 'attempt',
    );
    const port = await freePort();
    await assert.rejects(
      client.get(`http://127.0.0.1:${port}/`),
      (e: unknown) => e instanceof NetworkError && e.notSent && !e.message.includes(TOKEN),
    );
  });

  it('stops at once when the caller aborts, with the caller’s reason', async () => {
    const s = await serve((_req, res) => void setTimeout(() => json(res, 200, {}), 2000));
    const client = createClient({ fetch: transport });
    const controller = new AbortController();
    const reason = new Error('the user went away');
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    await assert.rejects(client.get(s.url, { signal: controller.signal }), (e: unknown) => e === reason);
    assert.ok(Date.now() - started < 1000);
  });

  it('names a body cut off mid-read as a BodyCutError', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"items":[');
      setTimeout(() => res.destroy(), 20);
    });
    const response = await createClient({ fetch: transport }).get(s.url);
    await assert.rejects(response.json(), (e: unknown) => e instanceof BodyCutError && e.expectedBytes === 100);
  });

  it('refuses a dispatcher that is not one, with a coded TypeError', () => {
    assert.throws(
      () => undiciTransport({ dispatcher: 'http://proxy' as never }),
      (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === 'ERR_GATEHOUSE_INVALID_ARGUMENT',
    );
  });
});
