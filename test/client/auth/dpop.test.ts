/**
 * The client's DPoP (RFC 9449) against Gatehouse's server on loopback, nonces on: token requests
 * and resource requests carry proofs of one non-extractable key, tokens come back bound to it, a
 * `use_dpop_nonce` is answered with exactly one retry; a server that wants a new nonce every time
 * gets that one retry, not a loop.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import {
  AuthenticationError,
  bearer,
  createClient,
  dpop,
  oauth2ClientCredentials,
  oauth2RefreshToken,
  UnauthorizedError,
} from '../../../src/client/index.ts';
import { type DpopWorld, dpopWorld } from '../../support/dpop-world.ts';
import { listen } from '../../support/server.ts';

const secret = 'nonce-secret-of-at-least-32-bytes!!';

/** A transport that counts the token requests it sends. */
function counted() {
  const sent: string[] = [];
  const send = (url: string | URL | Request, init?: RequestInit) => {
    sent.push(String(url));
    return fetch(url, init);
  };
  return { sent, send };
}

describe('dpop() with the token sources and bearer(source, { dpop })', () => {
  let w: DpopWorld;
  before(async () => {
    // The API's nonces differ from the token endpoint's (another secret), though on the same origin.
    w = await dpopWorld({ nonce: { secret: `${secret}-api` } }, { nonce: { secret } });
  });
  after(() => w.close());

  it('gets a bound token (one nonce retry), then calls the API with DPoP (one nonce retry), then none', async () => {
    const key = dpop();
    const tokens = counted();
    const source = oauth2ClientCredentials({
      tokenUrl: `${w.url}/oauth/token`,
      clientId: 'svc',
      clientSecret: 'svc-secret-0123456789abcdef',
      dpop: key,
      fetch: tokens.send,
    });
    const api = counted();
    const client = createClient({ baseUrl: w.url, auth: bearer(source, { dpop: key }), fetch: api.send });
    const response = await client.get('api/me?page=2');
    assert.deepEqual(await response.json(), { id: 'client:svc', scheme: 'dpop' });
    assert.equal(tokens.sent.length, 2, 'use_dpop_nonce, then the token');
    assert.equal(api.sent.length, 2, 'use_dpop_nonce, then served');
    const token = await source.getToken();
    assert.equal(token.tokenType, 'DPoP');
    assert.deepEqual(decodeJwt(token.accessToken).cnf, { jkt: await key.thumbprint() });
    // The nonce is remembered per origin: the next call needs no retry.
    await (await client.get('api/me')).arrayBuffer();
    assert.equal(api.sent.length, 3);
  });

  it('refreshes a bound refresh token with proofs of its key', async () => {
    const key = dpop();
    // The first token by hand: the password grant, with the key's proof and the server's nonce.
    const tokenUrl = new URL(`${w.url}/oauth/token`);
    const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
    const ask = async () => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { dpop: await key.proof('POST', tokenUrl) },
        body: new URLSearchParams(form),
      });
      key.rememberNonce(tokenUrl, response);
      return response;
    };
    const first = await ask();
    assert.equal(first.status, 400);
    const { refresh_token } = await (await ask()).json();
    assert.match(refresh_token, new RegExp(`\\.${await key.thumbprint()}$`));
    const source = oauth2RefreshToken({ tokenUrl, clientId: 'web', refreshToken: refresh_token, dpop: key });
    const client = createClient({ baseUrl: w.url, auth: bearer(source, { dpop: key }) });
    assert.deepEqual(await (await client.get('api/me')).json(), { id: 'u-alice', scheme: 'dpop' });
    // Another key cannot use the same refresh token.
    const thief = oauth2RefreshToken({ tokenUrl, clientId: 'web', refreshToken: refresh_token, dpop: dpop() });
    const error = await thief.getToken().catch((e: unknown) => e);
    assert.ok(error instanceof AuthenticationError);
  });
});

describe('a server that demands a new nonce every time', () => {
  let url: string;
  let close: () => Promise<void>;
  let hits = 0;
  let tokenHits = 0;
  let n = 0;
  before(async () => {
    const http = createServer((req, res): void => {
      const nonce = `n-${++n}`;
      if (req.url === '/token') {
        tokenHits++;
        res.writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': nonce });
        res.end(JSON.stringify({ error: 'use_dpop_nonce' }));
        return;
      }
      hits++;
      res.writeHead(401, {
        'www-authenticate': 'DPoP algs="ES256", error="use_dpop_nonce"',
        'dpop-nonce': nonce,
      });
      res.end();
    });
    ({ url, close } = await listen(http));
  });
  after(() => close());

  it('gets one retry at the token endpoint and one at the API, then the refusal', async () => {
    const key = dpop();
    const source = oauth2ClientCredentials({ tokenUrl: `${url}/token`, clientId: 'c', clientSecret: 's', dpop: key });
    const error = await source.getToken().catch((e: unknown) => e);
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.oauthError, 'use_dpop_nonce');
    assert.equal(tokenHits, 2);

    const client = createClient({ baseUrl: url, auth: bearer(async () => 'some-token', { dpop: key }), retry: false });
    const refused = await client.get('api').catch((e: unknown) => e);
    assert.ok(refused instanceof UnauthorizedError);
    assert.equal(hits, 2, 'the first try and one retry with the nonce: no loop, no refresh');
  });
});

describe('a server that rotates its nonces and sends the newest in its 200s (RFC 9449 §8.2, §9)', () => {
  let w: DpopWorld;
  // One nonce for the token endpoint and the API (one server, one origin), living 1 s (300 s by
  // default): a call every 100 ms keeps well within the lifetime a nonce is still accepted for.
  const nonce = { secret: 'rotating-nonce-secret-of-32-bytes!!', lifetimeSeconds: 1 };
  before(async () => {
    w = await dpopWorld({ nonce }, { nonce });
  });
  after(() => w.close());

  it('token requests and API calls across four rotations: no use_dpop_nonce refusal after the first', async () => {
    const key = dpop();
    const source = oauth2ClientCredentials({
      tokenUrl: `${w.url}/oauth/token`,
      clientId: 'svc',
      clientSecret: 'svc-secret-0123456789abcdef',
      dpop: key,
    });
    const client = createClient({ baseUrl: w.url, auth: bearer(source, { dpop: key }) });
    const nonces = new Set<string>();
    const started = Date.now();
    let calls = 0;
    // Every 100 ms a call, and every fourth a new token, for four and a half lifetimes of a nonce.
    while (Date.now() - started < 4500) {
      if (calls % 4 === 3) await source.getToken({ rejected: (await source.getToken()).accessToken });
      const response = await client.get('api/me');
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      const proofNonce = decodeJwt(await key.proof('GET', new URL(`${w.url}/api/me`)))['nonce'];
      if (typeof proofNonce === 'string') nonces.add(proofNonce);
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The one refusal is the first token request's, sent before the client knew any nonce.
    assert.deepEqual(w.nonceRefusals, { token: 1, api: 0 });
    assert.ok(nonces.size >= 4, `the server rotated its nonce (${nonces.size} seen)`);
  });
});

describe('the nonces a key remembers', () => {
  let port: number;
  let close: () => Promise<void>;
  before(async () => {
    // Listening on every address: each 127.x.y.z is another origin reaching it.
    const http = createServer((req, res) => {
      res.writeHead(200, { 'dpop-nonce': `nonce-of-${req.headers.host}` });
      res.end();
    });
    ({ port, close } = await listen(http, { host: '0.0.0.0' }));
  });
  after(() => close());

  const origin = (i: number) => new URL(`http://127.1.${Math.floor(i / 200)}.${(i % 200) + 1}:${port}/`);
  const sentNonce = async (key: ReturnType<typeof dpop>, i: number) =>
    decodeJwt(await key.proof('GET', origin(i)))['nonce'];

  it('are at most 256 origins: the least recently used is forgotten first', async () => {
    const key = dpop();
    const remember = async (i: number) => {
      const response = await fetch(origin(i));
      assert.equal(key.rememberNonce(origin(i), response), true);
    };
    for (let i = 0; i < 256; i++) await remember(i);
    // Origin 0 is used again; origins 1 to 44 are then the least recently used.
    assert.equal(await sentNonce(key, 0), `nonce-of-${origin(0).host}`);
    for (let i = 256; i < 300; i++) await remember(i);
    assert.equal(await sentNonce(key, 0), `nonce-of-${origin(0).host}`, 'used lately: kept');
    assert.equal(await sentNonce(key, 1), undefined, 'the least recently used: forgotten');
    assert.equal(await sentNonce(key, 44), undefined);
    assert.equal(await sentNonce(key, 45), `nonce-of-${origin(45).host}`);
    assert.equal(await sentNonce(key, 299), `nonce-of-${origin(299).host}`);
    let kept = 0;
    for (let i = 0; i < 300; i++) if ((await sentNonce(key, i)) !== undefined) kept++;
    assert.equal(kept, 256);
  });
});
