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
import { proof, proofKey } from '../../support/dpop-world.ts';
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

describe('a code bound to a DPoP key (RFC 9449 §10 dpop_jkt)', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld({ dpop: true });
  });
  after(() => w.close());
  const dpopOf = async (key: Awaited<ReturnType<typeof proofKey>>) => ({
    dpop: await proof(key, { htm: 'POST', htu: `${w.url}/oauth/token` }),
  });

  it('redeemed with a proof of that key: DPoP-bound tokens, a refresh bound to the same key', async () => {
    const key = await proofKey();
    const { code, verifier } = await aliceCode(w.url, { dpop_jkt: key.jkt });
    const tokens = await redeem(w.url, code, verifier, {}, await dpopOf(key));
    assert.equal(tokens.status, 200);
    assert.equal(tokens.body.token_type, 'DPoP');
    assert.deepEqual(decodeJwt(tokens.body.access_token).cnf, { jkt: key.jkt });
    const refreshed = await post(
      `${w.url}/oauth/token`,
      { grant_type: 'refresh_token', client_id: 'app', refresh_token: tokens.body.refresh_token },
      await dpopOf(key),
    );
    assert.deepEqual([refreshed.status, decodeJwt(refreshed.body.access_token).cnf], [200, { jkt: key.jkt }]);
  });

  it("refuses it with another key's proof, and without a proof: invalid_grant, and the code is used up", async () => {
    const [key, thief] = [await proofKey(), await proofKey()];
    for (const headers of [await dpopOf(thief), {}]) {
      const { code, verifier } = await aliceCode(w.url, { dpop_jkt: key.jkt });
      const refused = await redeem(w.url, code, verifier, {}, headers);
      assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant']);
      assert.match(refused.body.error_description, /DPoP key/);
      // The code was redeemed by the refused request: the rightful key cannot use it after that.
      assert.equal((await redeem(w.url, code, verifier, {}, await dpopOf(key))).body.error, 'invalid_grant');
    }
  });

  it('a code asked for without dpop_jkt is redeemed as before: Bearer without a proof, DPoP with one', async () => {
    const plain = await aliceCode(w.url);
    const bearer = await redeem(w.url, plain.code, plain.verifier);
    assert.deepEqual([bearer.status, bearer.body.token_type], [200, 'Bearer']);
    const key = await proofKey();
    const bound = await aliceCode(w.url);
    const tokens = await redeem(w.url, bound.code, bound.verifier, {}, await dpopOf(key));
    assert.deepEqual([tokens.body.token_type, decodeJwt(tokens.body.access_token).cnf], ['DPoP', { jkt: key.jkt }]);
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

describe('a refresh keeps the resources of its grant (RFC 8707 §2.2)', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld();
  });
  after(() => w.close());
  const refresh = (token: string, extra: Record<string, string> = {}) =>
    post(`${w.url}/oauth/token`, { grant_type: 'refresh_token', client_id: 'app', refresh_token: token, ...extra });
  const tokensFor = async (resource: string | string[]) => {
    const { code, verifier } = await aliceCode(w.url, { resource });
    return (await redeem(w.url, code, verifier)).body as { access_token: string; refresh_token: string };
  };

  it('without resource, the refreshed token is for the grant’s resource, twice over', async () => {
    const first = await refresh((await tokensFor(API)).refresh_token);
    assert.equal(first.status, 200);
    assert.equal(decodeJwt(first.body.access_token).aud, API);
    assert.equal((await call(w.url, '/api/me', first.body.access_token)).status, 200);
    // The resources survive rotation: the successor's successor is still for API.
    const second = await refresh(first.body.refresh_token);
    assert.equal(decodeJwt(second.body.access_token).aud, API);
  });

  it('a resource the grant was not for is invalid_target, and the refresh token still works', async () => {
    const tokens = await tokensFor(API);
    const wider = await refresh(tokens.refresh_token, { resource: REPORTS });
    assert.deepEqual([wider.status, wider.body.error], [400, 'invalid_target']);
    const own = await refresh(tokens.refresh_token, { resource: API });
    assert.equal(own.status, 200);
    assert.equal(decodeJwt(own.body.access_token).aud, API);
  });

  it('a grant for several resources refreshes into one of them, or all of them', async () => {
    const tokens = await tokensFor([API, REPORTS]);
    const narrowed = await refresh(tokens.refresh_token, { resource: REPORTS });
    assert.equal(decodeJwt(narrowed.body.access_token).aud, REPORTS);
    const again = await refresh(narrowed.body.refresh_token);
    assert.deepEqual(decodeJwt(again.body.access_token).aud, [API, REPORTS]);
  });

  it('a grant without resources refreshes only into the default audience', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const tokens = (await redeem(w.url, code, verifier)).body;
    const api = await refresh(tokens.refresh_token, { resource: API });
    assert.equal(api.body.error, 'invalid_target');
    const plain = await refresh(tokens.refresh_token, { resource: w.service.audience });
    assert.equal(plain.status, 200);
    assert.equal((await call(w.url, '/me', plain.body.access_token)).status, 200);
  });
});

describe('the code flow on a SQLite store, end to end', () => {
  it('issues, redeems once, refreshes for the code’s resource only, refuses and revokes on replay', async () => {
    const w = await codeWorld({ store: 'sqlite' });
    try {
      const { code, verifier } = await aliceCode(w.url, { resource: API });
      const tokens = await redeem(w.url, code, verifier);
      assert.equal(tokens.status, 200);
      assert.equal((await call(w.url, '/api/me', tokens.body.access_token)).status, 200);
      const refresh = (extra: Record<string, string> = {}) =>
        post(`${w.url}/oauth/token`, {
          grant_type: 'refresh_token',
          client_id: 'app',
          refresh_token: tokens.body.refresh_token,
          ...extra,
        });
      assert.equal((await refresh({ resource: REPORTS })).body.error, 'invalid_target');
      assert.equal(decodeJwt((await refresh()).body.access_token).aud, API);
      assert.equal((await redeem(w.url, code, verifier)).body.error, 'invalid_grant');
      assert.equal((await call(w.url, '/api/me', tokens.body.access_token)).status, 401);
    } finally {
      await w.close();
    }
  });
});
