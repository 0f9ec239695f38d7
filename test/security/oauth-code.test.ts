/**
 * Attacks on the authorization-code flow, sent as an attacker would: a stolen code raced and
 * replayed, PKCE downgraded or skipped, codes injected into another client's or redirect's
 * exchange, redirect URIs bent toward another site, and authorization responses that would let a
 * client mix up its authorization servers (RFC 9700 §4.2–4.5, RFC 9207).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  API,
  aliceCode,
  authorizationParams,
  authorizeGet,
  authorizePost,
  type CodeWorld,
  codeWorld,
  ISSUER,
  pkce,
  REDIRECT,
  redeem,
  redirectedTo,
} from '../support/code-flow.ts';
import { post } from '../support/token-world.ts';

const call = (url: string, token: string) =>
  fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

describe('attacks on the authorization-code flow', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld();
  });
  after(() => w.close());

  it('code replay: a code raced 12 times is redeemed once, and the replays revoke what it issued (RFC 6749 §4.1.2)', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const answers = await Promise.all(Array.from({ length: 12 }, () => redeem(w.url, code, verifier)));
    const won = answers.filter((a) => a.status === 200);
    assert.equal(won.length, 1, 'exactly one redemption');
    for (const lost of answers.filter((a) => a.status !== 200)) {
      assert.equal(lost.status, 400);
      assert.equal(lost.body.error, 'invalid_grant');
    }
    const tokens = won[0]!.body;
    assert.equal(await call(w.url, tokens.access_token), 401, 'the access token of the first redemption is revoked');
    const refreshed = await post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: tokens.refresh_token,
    });
    assert.equal(refreshed.body.error, 'invalid_grant', 'so is its refresh token');
  });

  it('code replay after the first redemption: the honest client’s tokens die with the attacker’s copy', async () => {
    const { code, verifier } = await aliceCode(w.url);
    const honest = await redeem(w.url, code, verifier);
    assert.equal(await call(w.url, honest.body.access_token), 200);
    assert.equal((await redeem(w.url, code, verifier)).body.error, 'invalid_grant');
    assert.equal(await call(w.url, honest.body.access_token), 401);
  });

  it('PKCE downgrade: plain, no method, no challenge, and a challenge that is no S256 digest are refused at authorize', async () => {
    const { challenge } = pkce();
    for (const extra of [
      { code_challenge_method: 'plain' },
      { code_challenge_method: undefined },
      { code_challenge: undefined, code_challenge_method: undefined },
      { code_challenge: 'short' },
      { code_challenge_method: 'S512', code_challenge: challenge },
    ]) {
      const answer = await authorizeGet(w.url, authorizationParams(extra).params);
      assert.equal(answer.status, 303, JSON.stringify(extra));
      const back = redirectedTo(answer);
      assert.equal(back.searchParams.get('error'), 'invalid_request', JSON.stringify(extra));
      assert.equal(back.searchParams.get('code'), null);
      assert.equal(back.searchParams.get('iss'), ISSUER);
    }
  });

  it('a stolen code without its verifier is worthless: none, the challenge itself, another flow’s verifier', async () => {
    const stolen: [string, (code: string, verifier: string) => ReturnType<typeof post>][] = [
      [
        'invalid_request',
        (code) =>
          post(`${w.url}/oauth/token`, {
            grant_type: 'authorization_code',
            client_id: 'app',
            code,
            redirect_uri: REDIRECT,
          }),
      ],
      [
        'invalid_grant',
        (code, verifier) => redeem(w.url, code, createHash('sha256').update(verifier).digest('base64url')),
      ],
      ['invalid_grant', (code) => redeem(w.url, code, pkce().verifier)],
    ];
    for (const [error, attempt] of stolen) {
      const { code, verifier } = await aliceCode(w.url);
      const answer = await attempt(code, verifier);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, error);
      assert.equal(answer.body.access_token, undefined);
    }
  });

  it('code injection: a code redeemed by another client, or with another registered redirect URI, is refused', async () => {
    const forSolo = await aliceCode(w.url, { client_id: 'solo' });
    const asApp = await redeem(w.url, forSolo.code, forSolo.verifier, { client_id: 'app' });
    assert.equal(asApp.body.error, 'invalid_grant');
    const { code, verifier } = await aliceCode(w.url);
    const elsewhere = await redeem(w.url, code, verifier, { redirect_uri: 'http://127.0.0.1:9/other' });
    assert.equal(elsewhere.body.error, 'invalid_grant');
  });

  it('redirect URI: nothing bent toward another place is followed — an error page, no Location', async () => {
    for (const redirect_uri of [
      'https://evil.test/callback',
      `${REDIRECT}.evil.test`,
      `${REDIRECT}/../../evil`,
      `${REDIRECT}?next=https://evil.test`,
      'http://127.0.0.1:9@evil.test/callback',
      'http://localhost:9/callback',
      'http://127.0.0.1:9/CALLBACK',
      `${REDIRECT}#`,
      'javascript:alert(1)//http://127.0.0.1:9/callback',
    ]) {
      const { params } = authorizationParams({ redirect_uri });
      for (const answer of [
        await authorizeGet(w.url, params),
        await authorizePost(w.url, params, { username: 'alice', password: 'alice-password-1', decision: 'allow' }),
      ]) {
        assert.equal(answer.status, 400, redirect_uri);
        assert.equal(answer.headers.get('location'), null, redirect_uri);
      }
    }
  });

  it('mix-up (RFC 9207): every authorization response names its issuer, the success and the refusals alike', async () => {
    const { params } = authorizationParams();
    const allowed = await authorizePost(w.url, params, {
      username: 'alice',
      password: 'alice-password-1',
      decision: 'allow',
    });
    const denied = await authorizePost(w.url, params, { decision: 'deny' });
    const refused = await authorizeGet(w.url, authorizationParams({ resource: 'https://evil.test' }).params);
    for (const answer of [allowed, denied, refused]) {
      assert.equal(answer.status, 303);
      assert.equal(redirectedTo(answer).searchParams.get('iss'), ISSUER);
      assert.equal(redirectedTo(answer).searchParams.get('state'), 'st-123');
    }
    const metadata = await (await fetch(`${w.url}/.well-known/oauth-authorization-server`)).json();
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.equal(metadata.issuer, ISSUER);
  });

  it('a code for one API is no key to another: its token is refused there (RFC 8707)', async () => {
    const { code, verifier } = await aliceCode(w.url, { resource: API });
    const tokens = await redeem(w.url, code, verifier);
    assert.equal(tokens.status, 200);
    assert.equal(await call(w.url, tokens.body.access_token), 401, 'the default audience refuses a token for API');
  });
});
