/**
 * loopbackLogin with a DPoP key (RFC 9449) against Gatehouse's authorization server, server nonces
 * on: the authorization request names the key (§10 dpop_jkt), the code exchange proves it, and the
 * token source it yields keeps proving it at every refresh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { dpop } from '../../src/client/index.ts';
import { loopbackLogin } from '../../src/client/loopback-login.ts';
import { type InteropWorld, interopWorld, PUBLIC_CLIENT, signIn } from '../support/interop-world.ts';

describe('loopbackLogin with a DPoP key', () => {
  let world: InteropWorld;
  before(async () => {
    world = await interopWorld({ dpop: { nonce: true } });
  });
  after(() => world?.close());

  it('binds the code to the key (dpop_jkt), gets DPoP-bound tokens after one nonce retry, refreshes bound', async () => {
    const key = dpop();
    const tokenAnswers: number[] = [];
    let authorizeUrl: URL | undefined;
    let browser: Promise<string> | undefined;
    const source = await loopbackLogin({
      issuer: world.issuer,
      clientId: PUBLIC_CLIENT,
      scope: 'read',
      dpop: key,
      timeoutMs: 20_000,
      // The real fetch, with the token endpoint's answers counted.
      fetch: async (input, init) => {
        const answer = await fetch(input, init);
        if (String(input).endsWith('/oauth/token')) tokenAnswers.push(answer.status);
        return answer;
      },
      // The test plays the user's browser: the printed URL, the sign-in form, the redirect back.
      print: (text) => {
        authorizeUrl = new URL(text.split('\n').find((line) => line.startsWith('http'))!);
        browser = signIn(authorizeUrl).then(async (back) => (await fetch(back)).text());
      },
    });
    assert.match((await browser) ?? '', /Signed in/);
    const jkt = await key.thumbprint();
    assert.equal(authorizeUrl?.searchParams.get('dpop_jkt'), jkt);
    assert.deepEqual(tokenAnswers, [400, 200], 'use_dpop_nonce, answered with exactly one retry');
    const token = await source.getToken();
    assert.equal(token.tokenType, 'DPoP');
    assert.deepEqual(decodeJwt(token.accessToken).cnf, { jkt });
    assert.ok(token.refreshToken?.endsWith(`.${jkt}`), "a public client's refresh token is bound to the key too");
    const refreshed = await source.getToken({ rejected: token.accessToken });
    assert.notEqual(refreshed.accessToken, token.accessToken);
    assert.deepEqual([refreshed.tokenType, decodeJwt(refreshed.accessToken).cnf], ['DPoP', { jkt }]);
    assert.deepEqual(tokenAnswers, [400, 200, 200], 'the refresh proved the key, with the nonce it had');
  });
});
