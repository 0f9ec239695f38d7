/**
 * What every adapter's protect() must do, over a real socket: the same API (adapter-apps.ts) on
 * each framework, the same requests, the same answers. Each adapter's test calls it for its app.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createClient, headerSignature } from '../../src/client/index.ts';
import { createGuard, type Guard, parseChallenges, type Scheme } from '../../src/server/index.ts';
import type { App } from './adapter-apps.ts';
import { basicHeader, type Fixture, fixture, jwt, SIGNING_SECRET } from './guard-fixture.ts';

/** Sends a request with raw header lines, so Authorization can appear twice. */
function rawGet(
  url: string,
  lines: Array<[string, string]>,
): Promise<{ status: number; challenge: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET' });
    const grouped = new Map<string, string[]>();
    for (const [name, value] of lines) grouped.set(name, [...(grouped.get(name) ?? []), value]);
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0]! : values);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The guard's answers through one adapter's app, over a real socket. */
export function describeAdapterOverSocket(name: string, start: (guard: Guard) => Promise<App>): void {
  let f: Fixture;
  let guard: Guard;
  before(async () => {
    f = await fixture();
    guard = f.guard(['bearer', 'basic', 'apiKey', 'signature']);
  });

  describe(`${name} adapter over a real socket`, () => {
    let app: App;
    before(async () => {
      app = await start(guard);
    });
    after(() => app.close());

    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(app.url + path, { headers });
      const text = await response.text();
      return {
        status: response.status,
        challenge: response.headers.get('www-authenticate'),
        type: response.headers.get('content-type'),
        body: text ? JSON.parse(text) : {},
      };
    };

    it('no credentials: 401, every challenge, problem+json', async () => {
      const answer = await get('/me');
      assert.equal(answer.status, 401);
      assert.equal(
        answer.challenge,
        'Bearer realm="api", Basic realm="api", charset="UTF-8", ApiKey realm="api", header="X-API-Key", Gatehouse-HMAC-SHA256 realm="api"',
      );
      assert.match(String(answer.type), /^application\/problem\+json/);
      assert.equal(answer.body.code, 'credentials_missing');
    });

    it('malformed Authorization: 400 invalid_request', async () => {
      const answer = await get('/me', { authorization: 'Bearer a b' });
      assert.equal(answer.status, 400);
      assert.equal(answer.challenge, 'Bearer realm="api", error="invalid_request"');
      assert.equal(answer.body.code, 'credentials_malformed');
    });

    it('two Authorization fields: 400 invalid_request', async () => {
      const answer = await rawGet(`${app.url}/me`, [
        ['Authorization', basicHeader('alice', 'alice-password-1')],
        ['Authorization', `Bearer ${await jwt()}`],
      ]);
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).code, 'credentials_malformed');
    });

    it('a scheme not accepted: 401 scheme_unsupported', async () => {
      const answer = await get('/me', {
        authorization: 'Digest username="a", realm="r", nonce="n", uri="/me", response="x"',
      });
      assert.deepStrictEqual([answer.status, answer.body.code], [401, 'scheme_unsupported']);
    });

    it('a wrong password: 401 credentials_invalid', async () => {
      const answer = await get('/me', { authorization: basicHeader('alice', 'wrong') });
      assert.deepStrictEqual([answer.status, answer.body.code], [401, 'credentials_invalid']);
    });

    it('an expired token: 401 token_expired with error="invalid_token"', async () => {
      const answer = await get('/me', {
        authorization: `Bearer ${await jwt({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`,
      });
      assert.deepStrictEqual([answer.status, answer.body.code], [401, 'token_expired']);
      assert.deepStrictEqual(parseChallenges(answer.challenge)[0]?.params, {
        realm: 'api',
        error: 'invalid_token',
        error_description: 'The access token expired',
      });
    });

    it('a missing scope: 403 insufficient_scope', async () => {
      const answer = await get('/admin', { authorization: `Bearer ${await jwt({ scope: 'read' })}` });
      assert.deepStrictEqual([answer.status, answer.body.code], [403, 'insufficient_scope']);
      assert.equal(answer.challenge, 'Bearer realm="api", error="insufficient_scope", scope="admin"');
    });

    it('a missing role: 403 forbidden', async () => {
      const answer = await get('/staff', { authorization: basicHeader('alice', 'alice-password-1') });
      assert.deepStrictEqual([answer.status, answer.body.code, answer.challenge], [403, 'forbidden', null]);
    });

    it('valid credentials reach the handler with the principal', async () => {
      assert.deepStrictEqual(
        (await get('/me', { authorization: basicHeader('alice', 'alice-password-1') })).body.id,
        'u-alice',
      );
      assert.deepStrictEqual((await get('/me', { 'x-api-key': f.apiKey })).body.id, 'svc-reports');
      assert.deepStrictEqual(
        (await get('/admin', { authorization: `Bearer ${await jwt({ sub: 'boss', scope: 'admin' })}` })).body.id,
        'boss',
      );
    });

    it('a signed request verifies, and its body still reaches the handler', async () => {
      const client = createClient({ baseUrl: `${app.url}/`, auth: headerSignature('key-1', SIGNING_SECRET) });
      const body = await (
        await client.post('signed', {
          body: JSON.stringify({ amount: 5 }),
          headers: { 'content-type': 'application/json', 'idempotency-key': 'x' },
        })
      ).json();
      assert.equal(body.id, 'svc-signer');
      assert.equal(body.body, '{"amount":5}');
    });

    it('a replayed or tampered signed request is refused', async () => {
      const ts = String(Math.floor(Date.now() / 1000));
      const { createHash, createHmac } = await import('node:crypto');
      const nonce = `nonce-${Date.now()}-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
      const sign = (body: string) =>
        createHmac('sha256', SIGNING_SECRET)
          .update(
            [
              'Gatehouse-HMAC-SHA256',
              'key-1',
              'POST',
              new URL(app.url).host,
              '/signed',
              ts,
              nonce,
              createHash('sha256').update(body).digest('hex'),
            ].join('\n'),
          )
          .digest('hex');
      const headers = {
        'x-api-key': 'key-1',
        'x-timestamp': ts,
        'x-nonce': nonce,
        'x-signature': sign('{"a":1}'),
        'content-type': 'application/json',
      };
      const send = (body: string) => fetch(`${app.url}/signed`, { method: 'POST', headers, body });
      assert.equal((await send('{"a":1}')).status, 200);
      const replay = await send('{"a":1}');
      assert.deepStrictEqual([replay.status, (await replay.json()).code], [401, 'signature_replayed']);
      const tampered = await send('{"a":2}');
      assert.deepStrictEqual([tampered.status, (await tampered.json()).code], [401, 'signature_invalid']);
    });

    it('a CORS preflight is answered by the adapter (204, no CORS allowance without a policy), never by the handler', async () => {
      const response = await fetch(`${app.url}/me`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.test',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
      assert.equal(response.headers.get('access-control-allow-origin'), null);
    });
  });

  describe(`${name} adapter: what a scheme adds to the answer`, () => {
    let app: App;
    before(async () => {
      app = await start(
        createGuard({ realm: 'api', schemes: [answeringScheme], cors: { origins: ['https://app.test'] } }),
      );
    });
    after(() => app.close());

    it("reaches the handler's answer, beside the CORS allowance (as the DPoP scheme's DPoP-Nonce does)", async () => {
      const response = await fetch(`${app.url}/me`, { headers: { 'x-say': 'hello', origin: 'https://app.test' } });
      assert.equal(response.status, 200);
      assert.equal((await response.json()).id, 'u-answered');
      assert.equal(response.headers.get('x-scheme-said'), 'hello');
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.test');
      const quiet = await fetch(`${app.url}/me`, { headers: { 'x-say': '' } });
      assert.equal(quiet.status, 200);
      assert.equal(quiet.headers.get('x-scheme-said'), null, 'only when the scheme adds it');
      await quiet.arrayBuffer();
    });
  });
}

/** A scheme that takes any X-Say header and adds its value to the answer (GuardRequest.answerWith). */
const answeringScheme: Scheme<string> = {
  name: 'answering',
  precedence: 5,
  detect(request) {
    const said = request.request.headers.get('x-say');
    return said === null ? { present: false } : { present: true, credentials: said };
  },
  verify(said, request) {
    if (said !== '') request.answerWith('X-Scheme-Said', said);
    return { id: 'u-answered', scheme: 'answering', scopes: [], roles: [] };
  },
  challenge: (realm) => ({ scheme: 'Say', params: { realm } }),
  openapi: () => ({ type: 'apiKey', in: 'header', name: 'X-Say' }),
};
