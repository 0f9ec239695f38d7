import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyCutError, bearer, createClient, GatehouseError } from '../../src/client/index.ts';
import { cutAfter, json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const TOKEN = 'body-cut-secret-token-5f1e';

describe('a response body cut off mid-read', () => {
  it('rejects response.json() with a BodyCutError that gives the announced length and says GET is safe to repeat', async () => {
    const server = await serve(cutAfter('{"items":['));
    const client = createClient({ auth: bearer(TOKEN) });
    const response = await client.get(`${server.url}list?api_key=k-secret-77`);
    assert.equal(response.status, 200);
    const error = await response.json().then(
      () => assert.fail('a cut body must not parse'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof BodyCutError, `got ${String(error)}`);
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.code, 'ERR_GATEHOUSE_BODY_CUT');
    assert.equal(error.status, 200);
    assert.equal(error.expectedBytes, 100);
    assert.match(error.message, /100 bytes were announced/);
    assert.match(error.message, /Sending the request again is safe/);
    assert.doesNotMatch(error.message, /k-secret-77/);
    assert.doesNotMatch(`${error.message} ${error.stack}`, new RegExp(TOKEN));
  });

  it('counts the bytes that arrived when the caller reads the body as a stream, and guards clones', async () => {
    const server = await serve(cutAfter('0123456789'));
    const response = await createClient().get(server.url);
    const copy = response.clone();
    const reader = response.body!.getReader();
    let received = 0;
    const error = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received += value.byteLength;
      }
    })().catch((e: unknown) => e);
    assert.ok(error instanceof BodyCutError, `got ${String(error)}`);
    assert.equal(error.receivedBytes, received);
    assert.equal(received, 10);
    assert.match(error.message, /after 10 bytes of the 100 announced/);
    await assert.rejects(copy.text(), BodyCutError);
  });

  it('leaves errors that are not a broken connection alone: invalid JSON stays a SyntaxError', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"not json');
    });
    const response = await createClient().get(server.url);
    await assert.rejects(response.json(), SyntaxError);
    await assert.rejects(response.text(), (e: unknown) => e instanceof TypeError && !(e instanceof BodyCutError));
  });

  it('warns that a POST without an Idempotency-Key may have taken effect, and not one with a key or a PUT', async () => {
    const server = await serve(cutAfter('{"ok":'));
    const client = createClient();
    const bare = await client.post(server.url, { body: '{}' });
    const bareError = (await bare.text().catch((e: unknown) => e)) as BodyCutError;
    assert.ok(bareError instanceof BodyCutError);
    assert.match(bareError.message, /may have taken effect: send it again only with an Idempotency-Key/);

    const keyed = await client.post(server.url, { body: '{}', headers: { 'idempotency-key': 'order-1' } });
    const keyedError = (await keyed.arrayBuffer().catch((e: unknown) => e)) as BodyCutError;
    assert.ok(keyedError instanceof BodyCutError);
    assert.match(keyedError.message, /Sending the request again is safe/);

    const put = await client.put(server.url, { body: '{}' });
    const putError = (await put.json().catch((e: unknown) => e)) as BodyCutError;
    assert.match(putError.message, /Sending the request again is safe/, 'PUT is idempotent (RFC 9110)');
  });

  it('reads whole bodies unchanged and keeps the final URL after a redirect', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' });
        res.end();
        return;
      }
      json(res, 200, { big: 'x'.repeat(200_000) });
    });
    const response = await createClient().get(`${server.url}old`);
    assert.equal(response.url, `${server.url}new`);
    assert.equal(((await response.json()) as { big: string }).big.length, 200_000);
  });

  it("passes the caller's abort through as an abort, not a cut", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part');
    });
    const controller = new AbortController();
    const response = await createClient().get(server.url, { signal: controller.signal });
    const reading = response.text();
    setTimeout(() => controller.abort(), 20);
    const error = (await reading.catch((e: unknown) => e)) as Error;
    assert.equal(error.name, 'AbortError');
    assert.ok(!(error instanceof BodyCutError));
  });
});

describe('a guarded body, read as fetch’s is', () => {
  it('is read by text() after `body` was only looked at', async () => {
    const server = await serve((_req, res) => json(res, 200, { seen: true }));
    const response = await createClient().get(server.url);
    assert.ok(response.body instanceof ReadableStream);
    assert.deepStrictEqual(await response.json(), { seen: true });
  });

  it('gives its locked body after text(), as fetch’s does, instead of throwing', async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const response = await createClient().get(server.url);
    await response.text();
    assert.equal(response.bodyUsed, true);
    assert.equal(response.body?.locked, true);
    await assert.rejects(response.text(), TypeError);
  });
});
