/**
 * Step-up at the authorization server (RFC 9470 §4, OpenID Connect Core §3.1.2.1): acr_values asks
 * the sign-in form for the second factor, max_age makes an old session sign in again, and the
 * tokens carry acr and auth_time, which a refresh keeps (in memory and in SQLite, schema v7).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import type { Identity } from '../../../src/server/index.ts';
import {
  authorizationParams,
  authorizeGet,
  authorizePost,
  type CodeWorld,
  codeWorld,
  redeem,
  redirectedTo,
} from '../../support/code-flow.ts';
import { post } from '../../support/token-world.ts';

const CODE = '424242';
const secondFactor = { verify: (_user: Identity, code: string) => code === CODE };
const worlds: CodeWorld[] = [];
after(() => Promise.all(worlds.map((w) => w.close())));

async function world(options: Parameters<typeof codeWorld>[0] = {}) {
  const w = await codeWorld({ authorize: { secondFactor }, ...options });
  worlds.push(w);
  return w;
}

const alice = { username: 'alice', password: 'alice-password-1', decision: 'allow' };

/** Signs alice in with `form`, redeems the code and answers the token response. */
async function signIn(url: string, extra: Record<string, string>, form: Record<string, string>) {
  const { params, verifier } = authorizationParams(extra);
  const answer = await authorizePost(url, params, { ...alice, ...form });
  assert.equal(answer.status, 303, await answer.clone().text());
  const code = redirectedTo(answer).searchParams.get('code')!;
  return (await redeem(url, code, verifier)).body;
}

for (const store of ['memory', 'sqlite'] as const) {
  describe(`step-up sign-in (${store} store)`, () => {
    it('acr_values=mfa: the form asks for the one-time code; with it the tokens claim acr mfa', async () => {
      const { url } = await world({ store });
      const { params } = authorizationParams({ acr_values: 'mfa' });
      const page = await (await authorizeGet(url, params)).text();
      assert.match(page, /name="otp"/);
      const before = Math.floor(Date.now() / 1000);
      const tokens = await signIn(url, { acr_values: 'mfa' }, { otp: CODE });
      const claims = decodeJwt(tokens.access_token);
      assert.equal(claims['acr'], 'mfa');
      assert.ok(Math.abs(Number(claims['auth_time']) - before) <= 1);

      // RFC 9470: a refresh is no new sign-in: the new token keeps the original acr and auth_time.
      await sleep(1100);
      const refreshed = await post(`${url}/oauth/token`, {
        grant_type: 'refresh_token',
        client_id: 'app',
        refresh_token: tokens.refresh_token,
      });
      assert.equal(refreshed.status, 200);
      const again = decodeJwt(refreshed.body.access_token);
      assert.deepStrictEqual([again['acr'], again['auth_time']], [claims['acr'], claims['auth_time']]);
      assert.ok(Number(again.iat) > Number(claims['auth_time']));
    });

    it('a wrong one-time code: the form again, no code; without acr_values: acr pwd, no code asked', async () => {
      const { url } = await world({ store });
      const { params } = authorizationParams({ acr_values: 'mfa' });
      const wrong = await authorizePost(url, params, { ...alice, otp: '000000' });
      assert.equal(wrong.status, 200);
      // One answer whichever factor was wrong: a right password is not confirmed to a guesser.
      assert.match(await wrong.text(), /The username, password or one-time code is wrong\./);
      const plain = await authorizeGet(url, authorizationParams().params);
      assert.doesNotMatch(await plain.text(), /name="otp"/);
      const tokens = await signIn(url, {}, {});
      assert.equal(decodeJwt(tokens.access_token)['acr'], 'pwd');
    });
  });
}

describe('max_age against a session sign-in (OpenID Connect Core §3.1.2.1)', () => {
  const signedInAt = (authTime: number) => ({
    currentUser: () => ({ id: 'u-alice', scopes: ['read'], claims: { acr: 'pwd', auth_time: authTime } }),
    secondFactor,
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('a session younger than max_age is asked to consent only; an older one signs in again', async () => {
    const recent = await world({ authorize: signedInAt(now() - 10) });
    const fresh = await (await authorizeGet(recent.url, authorizationParams({ max_age: '60' }).params)).text();
    assert.match(fresh, /Signed in as/);
    const stale = await world({ authorize: signedInAt(now() - 120) });
    const page = await (await authorizeGet(stale.url, authorizationParams({ max_age: '60' }).params)).text();
    assert.match(page, /name="password"/);
    // The new sign-in is the one the token tells of: auth_time is now, not the session's.
    const tokens = await signIn(stale.url, { max_age: '60' }, {});
    assert.ok(now() - Number(decodeJwt(tokens.access_token)['auth_time']) <= 2);
  });

  it('a session whose auth_time is in the future (a skewed clock) is of unknown age: it signs in again', async () => {
    const ahead = await world({ authorize: signedInAt(now() + 3600) });
    const page = await (await authorizeGet(ahead.url, authorizationParams({ max_age: '60' }).params)).text();
    assert.match(page, /name="password"/);
    const tokens = await signIn(ahead.url, { max_age: '60' }, {});
    assert.ok(Math.abs(now() - Number(decodeJwt(tokens.access_token)['auth_time'])) <= 2);
  });

  it('a session without the second factor signs in again when acr_values asks for it', async () => {
    const { url } = await world({ authorize: signedInAt(now()) });
    const page = await (await authorizeGet(url, authorizationParams({ acr_values: 'mfa' }).params)).text();
    assert.match(page, /name="otp"/);
  });

  it('a max_age that is not a number of seconds: invalid_request back to the client', async () => {
    const { url } = await world();
    const answer = await authorizeGet(url, authorizationParams({ max_age: '-5' }).params);
    assert.equal(answer.status, 303);
    assert.equal(redirectedTo(answer).searchParams.get('error'), 'invalid_request');
  });
});
