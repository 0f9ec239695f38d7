import assert from 'node:assert/strict';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  createClient,
  headerSignature,
  hmacSignature,
  INVALID_ARGUMENT,
  parseAuthorization,
  SIGNATURE_SCHEME,
  UnauthorizedError,
} from '../../../src/client/index.ts';
import { json, startServer, type TestServer } from '../../support/server.ts';

const SECRET = 'shared-secret-0123456789';

/** Verifies with node:crypto, independently of the client's code. */
function verify(
  keyId: string,
  method: string,
  authority: string,
  target: string,
  timestamp: string,
  nonce: string,
  body: Buffer,
  signature: string,
): boolean {
  const digest = createHash('sha256').update(body).digest('hex');
  const expected = createHmac('sha256', SECRET)
    .update([SIGNATURE_SCHEME, keyId, method, authority, target, timestamp, nonce, digest].join('\n'))
    .digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('hmacSignature()', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res, body) => {
      const method = req.method ?? '';
      const authority = req.headers.host ?? '';
      const target = req.url ?? '';
      const signatureHeader = req.headers['x-signature'];
      let ok = false;
      if (typeof signatureHeader === 'string') {
        ok =
          req.headers['x-api-key'] === 'key-1' &&
          verify(
            'key-1',
            method,
            authority,
            target,
            String(req.headers['x-timestamp']),
            String(req.headers['x-nonce']),
            body,
            signatureHeader,
          );
      } else {
        const parsed = parseAuthorization(req.headers.authorization);
        if (parsed.ok && parsed.credentials.kind === 'other' && parsed.credentials.scheme === SIGNATURE_SCHEME) {
          const p = parsed.credentials.params;
          ok =
            p['keyid'] === 'key-1' &&
            verify('key-1', method, authority, target, p['timestamp']!, p['nonce']!, body, p['signature']!);
        }
      }
      const now = Math.floor(Date.now() / 1000);
      const ts = Number((req.headers['x-timestamp'] ?? parseAuthorization(req.headers.authorization).ok) ? now : 0);
      if (ok && Math.abs(ts - now) <= 300) return json(res, 200, { verified: true });
      json(res, 401, { verified: false });
    });
  });
  after(() => server.close());

  it('signs keyId, method, authority, path and query, timestamp, nonce and body so the server can verify', async () => {
    const client = createClient({ baseUrl: server.url, auth: hmacSignature({ keyId: 'key-1', secret: SECRET }) });
    assert.deepStrictEqual(
      await (
        await client.post('orders?dry=1', { body: JSON.stringify({ qty: 2 }), headers: { 'idempotency-key': 'a' } })
      ).json(),
      { verified: true },
    );
    assert.deepStrictEqual(await (await client.get('orders/7')).json(), { verified: true });
    assert.deepStrictEqual(
      await (await client.get('orders?')).json(),
      { verified: true },
      'an empty query is signed as sent: "/orders?"',
    );
    assert.equal(server.received.at(-1)?.url, '/orders?');
    const form = new FormData();
    form.set('file', new Blob(['contents']), 'a.txt');
    assert.deepStrictEqual(
      await (await client.put('upload', { body: form })).json(),
      { verified: true },
      'a FormData body is signed as the exact bytes sent',
    );
  });

  it('uses a new nonce for every request', async () => {
    const client = createClient({ baseUrl: server.url, auth: hmacSignature({ keyId: 'key-1', secret: SECRET }) });
    await client.get('a');
    await client.get('a');
    const nonces = server.received.slice(-2).map((r) => {
      const parsed = parseAuthorization(r.headers.authorization);
      return parsed.ok && parsed.credentials.kind === 'other' ? parsed.credentials.params['nonce'] : undefined;
    });
    assert.notEqual(nonces[0], nonces[1]);
  });

  it('headerSignature() produces the X-API-Key / X-Timestamp / X-Signature headers', async () => {
    const client = createClient({ baseUrl: server.url, auth: headerSignature('key-1', SECRET) });
    assert.deepStrictEqual(await (await client.get('headers')).json(), { verified: true });
    const headers = server.received.at(-1)!.headers;
    assert.equal(headers['x-api-key'], 'key-1');
    assert.match(String(headers['x-timestamp']), /^\d{10}$/);
    assert.match(String(headers['x-signature']), /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(headers).includes(SECRET), 'the secret itself is never sent');
  });

  it('a nonce outside the documented format is refused before anything is sent; one inside it is sent', async () => {
    const before = server.received.length;
    for (const nonce of ['short', 'n'.repeat(129), 'a nonce with spaces 0123', 'base64/with+plus=0123']) {
      const client = createClient({
        baseUrl: server.url,
        auth: hmacSignature({ keyId: 'key-1', secret: SECRET, nonce: () => nonce }),
      });
      await assert.rejects(client.get('a'), { code: INVALID_ARGUMENT, message: /nonce must be 16 to 128 characters/ });
    }
    assert.equal(server.received.length, before, 'no request was sent');
    const uuid = crypto.randomUUID();
    const client = createClient({
      baseUrl: server.url,
      auth: hmacSignature({ keyId: 'key-1', secret: SECRET, nonce: () => uuid }),
    });
    assert.deepStrictEqual(await (await client.get('a')).json(), { verified: true }, 'a UUID is a nonce');
  });

  it('a wrong secret is refused by the server', async () => {
    const client = createClient({
      baseUrl: server.url,
      auth: hmacSignature({ keyId: 'key-1', secret: 'not-the-secret' }),
    });
    const error = await client.get('a').catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.ok(!inspect(error).includes('not-the-secret'));
  });
});
