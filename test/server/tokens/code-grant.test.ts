/**
 * The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 8707 §2.2): one redemption, by
 * its client, with its redirect_uri and verifier; a replay revokes what the first one issued.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import {
  API,
  aliceCode,
  type CodeWorld,
  codeWorld,
  OTHER_REDIRECT,
  pkce,
  REDIRECT,
  REPORTS,
  redeem,
} from '../../support/code-flow.ts';
import { post } from '../../support/token-world.ts';

const call = (url: string, path: string, token: string) =>
  fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('the authorization_code grant', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld();
  });
  after(() => w.close());

  it('completes code + PKCE: tokens for the user, which call the API and refresh', async () => {
    const { code, verifier } = await aliceCode(w.url, { scope: 'read' });
    const tokens = await redeem(w.url, code, verifier);
    assert.equal(tokens.status, 200);
    assert.equal(tokens.headers.get('cache-control'), 'no-store');
    assert.equal(tokens.body.scope, 'read');
    assert.equal(decodeJwt(tokens.body.access_token).sub, 'u-alice');
    assert.equal((await call(w.url, '/me', tokens.body.access_token)).status, 200);
    const refreshed = await post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: tokens.body.refresh_token,
    });
    assert.equal(refreshed.status, 200);
  });

  it('refuses a verifier that does not match, a malformed one and a missing one', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const wrong = await redeem(w.url, code, pkce().verifier);
    assert.equal(wrong.body.error, 'invalid_grant');
    assert.match(wrong.body.error_description, /code_verifier/);
    assert.ok(!JSON.stringify(wrong.body).includes(verifier));
    const other = await aliceCode(w.url);
    assert.equal((await redeem(w.url, other.code, 'short')).body.error, 'invalid_request');
    const missing = await post(`${w.url}/oauth/token`, {
      grant_type: 'authorization_code',
      client_id: 'app',
      code: other.code,
      redirect_uri: REDIRECT,
    });
    assert.equal(missing.body.error, 'invalid_request');
  });

  it('a replayed code is refused and revokes the refresh and access tokens of its first redemption', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const first = await redeem(w.url, code, verifier);
    assert.equal(first.status, 200);
    assert.equal((await call(w.url, '/me', first.body.access_token)).status, 200);
    const replay = await redeem(w.url, code, verifier);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.equal((await call(w.url, '/me', first.body.access_token)).status, 401);
    const refresh = await post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: first.body.refresh_token,
    });
    assert.equal(refresh.body.error, 'invalid_grant');
  });

  it('refuses a redirect_uri other than the request’s, even one the client registered', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const answer = await redeem(w.url, code, verifier, { redirect_uri: OTHER_REDIRECT });
    assert.equal(answer.body.error, 'invalid_grant');
    assert.match(answer.body.error_description, /redirect_uri/);
  });

  it('refuses a code issued to another client', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const answer = await redeem(w.url, code, verifier, { client_id: 'solo' });
    assert.equal(answer.body.error, 'invalid_grant');
  });

  it('refuses an unknown code and an expired one', async () => {
    assert.equal((await redeem(w.url, 'no-such-code', pkce().verifier)).body.error, 'invalid_grant');
    const quick = await codeWorld({ authorize: { codeTtlSeconds: 0.05 } });
    const { code, verifier } = await aliceCode(quick.url);
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal((await redeem(quick.url, code, verifier)).body.error, 'invalid_grant');
    await quick.close();
  });

  it('is refused to a client not registered for it, and is off without a code store', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const svc = await redeem(w.url, code, verifier, { client_id: 'svc', client_secret: 'svc-secret-0123456789abcdef' });
    assert.equal(svc.body.error, 'unauthorized_client');
    const off = await codeWorld({ withoutCodes: true });
    const answer = await redeem(off.url, code, verifier);
    assert.equal(answer.body.error, 'unsupported_grant_type');
    assert.equal((await fetch(`${off.url}/oauth/authorize`)).status, 404);
    await off.close();
  });
});

describe('resource indicators (RFC 8707) through the code grant', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld();
  });
  after(() => w.close());

  it('a code for one resource gives a token whose aud is that resource, good at its API only', async () => {
    const { code, verifier } = await aliceCode(w.url, { resource: API });
    const tokens = await redeem(w.url, code, verifier);
    assert.equal(decodeJwt(tokens.body.access_token).aud, API);
    assert.equal((await call(w.url, '/api/me', tokens.body.access_token)).status, 200);
    assert.equal((await call(w.url, '/me', tokens.body.access_token)).status, 401);
  });

  it('a code for several resources gives all of them, or the one the token request narrows to', async () => {
    const both = await aliceCode(w.url, { resource: [API, REPORTS] });
    assert.deepEqual(decodeJwt((await redeem(w.url, both.code, both.verifier)).body.access_token).aud, [API, REPORTS]);
    const narrowed = await aliceCode(w.url, { resource: [API, REPORTS] });
    const tokens = await redeem(w.url, narrowed.code, narrowed.verifier, { resource: REPORTS });
    assert.equal(decodeJwt(tokens.body.access_token).aud, REPORTS);
  });

  it('a token request for a resource the code was not for is invalid_target', async () => {
    const { code, verifier } = await aliceCode(w.url, { resource: API });
    const answer = await redeem(w.url, code, verifier, { resource: REPORTS });
    assert.equal(answer.body.error, 'invalid_target');
  });
});

describe('the code flow on a SQLite store, end to end', () => {
  it('issues, redeems once, refuses and revokes on replay', async () => {
    const w = await codeWorld({ store: 'sqlite' });
    try {
      const { code, verifier } = await aliceCode(w.url, { resource: API });
      const tokens = await redeem(w.url, code, verifier);
      assert.equal(tokens.status, 200);
      assert.equal((await call(w.url, '/api/me', tokens.body.access_token)).status, 200);
      assert.equal((await redeem(w.url, code, verifier)).body.error, 'invalid_grant');
      assert.equal((await call(w.url, '/api/me', tokens.body.access_token)).status, 401);
    } finally {
      await w.close();
    }
  });
});
