/**
 * The authorize endpoint (RFC 6749 §4.1.1–4.1.2, RFC 7636, RFC 9207, RFC 8707) as a browser meets
 * it: the sign-in page, what is shown and never redirected, what goes back with state and iss.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { memoryAuthorizationCodes } from '../../../src/server/index.ts';
import {
  API,
  aliceCode,
  authorizationParams,
  authorizeGet,
  authorizePost,
  type CodeWorld,
  codeWorld,
  ISSUER,
  OTHER_REDIRECT,
  REDIRECT,
  redeem,
  redirectedTo,
} from '../../support/code-flow.ts';

describe('the authorize endpoint', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld();
  });
  after(() => w.close());

  it('shows a sign-in page that carries the request through, escaped, uncached, unframeable', async () => {
    const { params } = authorizationParams({ state: '"><script>alert(1)</script>' });
    const page = await authorizeGet(w.url, params);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const csp = page.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'none'", "frame-ancestors 'none'"])
      assert.ok(csp.includes(directive), directive);
    // The form posts here and is sent on to the redirect URI: Chromium checks form-action on the redirect too.
    assert.match(csp, new RegExp(`form-action 'self' ${new URL(REDIRECT).origin}(;|$)`));
    const html = await page.text();
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
    assert.ok(html.includes('name="password"'));
  });

  it('sends the browser back with a code, the state and iss (RFC 9207 §2), by 303', async () => {
    const { params } = authorizationParams();
    const answer = await authorizePost(w.url, params, {
      username: 'alice',
      password: 'alice-password-1',
      decision: 'allow',
    });
    assert.equal(answer.status, 303);
    const back = redirectedTo(answer);
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get('state'), 'st-123');
    assert.equal(back.searchParams.get('iss'), ISSUER);
    assert.match(back.searchParams.get('code')!, /^[A-Za-z0-9_-]{43}$/);
  });

  it('shows, never redirects, an unknown client or a redirect_uri not registered exactly', async () => {
    for (const extra of [
      { redirect_uri: `${REDIRECT}/` },
      { redirect_uri: 'https://evil.test/callback' },
      { client_id: 'nobody' },
      { client_id: 'svc' }, // no redirect URIs registered
      { redirect_uri: undefined }, // app registered two
    ]) {
      const answer = await authorizeGet(w.url, authorizationParams(extra).params);
      assert.equal(answer.status, 400, JSON.stringify(extra));
      assert.equal(answer.headers.get('location'), null);
      assert.match(answer.headers.get('content-type')!, /^text\/html/);
    }
  });

  it('takes the one registered redirect URI when the request names none', async () => {
    const answer = await authorizePost(
      w.url,
      authorizationParams({ client_id: 'solo', redirect_uri: undefined }).params,
      {
        username: 'alice',
        password: 'alice-password-1',
        decision: 'allow',
      },
    );
    assert.equal(answer.status, 303);
    assert.ok(answer.headers.get('location')!.startsWith(`${REDIRECT}?code=`));
  });

  const refused = async (extra: Record<string, string | string[] | undefined>) => {
    const answer = await authorizeGet(w.url, authorizationParams(extra).params);
    assert.equal(answer.status, 303);
    const back = redirectedTo(answer);
    assert.equal(back.origin + back.pathname, (extra['redirect_uri'] as string | undefined) ?? REDIRECT);
    assert.equal(back.searchParams.get('state'), 'st-123');
    assert.equal(back.searchParams.get('iss'), ISSUER);
    assert.equal(back.searchParams.get('code'), null);
    return { error: back.searchParams.get('error'), description: back.searchParams.get('error_description') ?? '' };
  };

  it('refuses plain PKCE and a missing method (plain by RFC 7636 §4.3): S256 only', async () => {
    for (const method of ['plain', undefined]) {
      const { error, description } = await refused({ code_challenge_method: method });
      assert.equal(error, 'invalid_request');
      assert.match(description, /S256/);
    }
  });

  it('refuses a request without code_challenge, or with one that is not an S256 digest', async () => {
    assert.equal((await refused({ code_challenge: undefined })).error, 'invalid_request');
    assert.equal((await refused({ code_challenge: 'short' })).error, 'invalid_request');
  });

  it('answers only response_type=code', async () => {
    assert.equal((await refused({ response_type: 'token' })).error, 'unsupported_response_type');
    assert.equal((await refused({ response_type: undefined })).error, 'invalid_request');
  });

  it('refuses a resource it does not serve, or a malformed one, with invalid_target (RFC 8707 §2)', async () => {
    assert.equal((await refused({ resource: 'https://elsewhere.test' })).error, 'invalid_target');
    assert.equal((await refused({ resource: `${API}#frag` })).error, 'invalid_target');
    assert.equal((await refused({ resource: [API, 'https://elsewhere.test'] })).error, 'invalid_target');
  });

  it('refuses a scope the client may not ask for, and a repeated parameter', async () => {
    assert.equal((await refused({ scope: 'read admin' })).error, 'invalid_scope');
    assert.equal((await refused({ scope: ['read', 'write'] })).error, 'invalid_request');
    assert.equal(
      (await refused({ redirect_uri: OTHER_REDIRECT, response_type: 'token' })).error,
      'unsupported_response_type',
    );
  });

  it('answers a wrong password with the form again and one message for every wrong pair', async () => {
    const { params } = authorizationParams();
    for (const [username, password] of [
      ['alice', 'wrong'],
      ['nobody', 'wrong'],
    ]) {
      const answer = await authorizePost(w.url, params, {
        username: username!,
        password: password!,
        decision: 'allow',
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('location'), null);
      const html = await answer.text();
      assert.ok(html.includes('The username or password is wrong.'));
      assert.ok(!html.includes('wrong"'), 'the password is not echoed back');
    }
  });

  it('sends access_denied back when the user denies', async () => {
    const { params } = authorizationParams();
    const answer = await authorizePost(w.url, params, { decision: 'deny' });
    assert.equal(redirectedTo(answer).searchParams.get('error'), 'access_denied');
    assert.equal(redirectedTo(answer).searchParams.get('state'), 'st-123');
  });

  it('refuses a scope the user cannot grant, after sign-in, with invalid_scope', async () => {
    const world = await codeWorld();
    await world.store.users.putUser({ ...(await world.store.users.findUserByName('alice'))!, scopes: ['read'] });
    const { params } = authorizationParams({ scope: 'write' });
    const answer = await authorizePost(world.url, params, {
      username: 'alice',
      password: 'alice-password-1',
      decision: 'allow',
    });
    assert.equal(redirectedTo(answer).searchParams.get('error'), 'invalid_scope');
    await world.close();
  });

  it('reads no more of a form than maxBodyBytes', async () => {
    const { params } = authorizationParams({ pad: 'x'.repeat(20_000) });
    const answer = await authorizePost(w.url, params, {});
    assert.equal(answer.status, 413);
  });

  it('issues codes that differ every time', async () => {
    const one = await aliceCode(w.url);
    const two = await aliceCode(w.url);
    assert.notEqual(one.code, two.code);
  });
});

describe('the authorize endpoint with the app’s own sign-in (currentUser)', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld({
      authorize: {
        loginForm: false,
        currentUser: (request) =>
          request.headers.get('cookie') === 'session=alice' ? { id: 'u-alice', scopes: ['read', 'write'] } : undefined,
      },
    });
  });
  after(() => w.close());
  const cookie = { cookie: 'session=alice' };

  it('asks a signed-in user only to consent, and takes the consent from this origin only', async () => {
    const { params } = authorizationParams();
    const page = await fetch(`${w.url}/oauth/authorize?${params}`, { headers: cookie });
    const html = await page.text();
    assert.ok(html.includes('Signed in as'));
    assert.ok(!html.includes('name="password"'));
    const forged = await authorizePost(
      w.url,
      params,
      { decision: 'allow' },
      { ...cookie, origin: 'https://evil.test' },
    );
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('location'), null);
    const allowed = await authorizePost(w.url, params, { decision: 'allow' }, { ...cookie, origin: w.url });
    assert.equal(allowed.status, 303);
    assert.ok(redirectedTo(allowed).searchParams.get('code'));
  });

  it('sends access_denied back for a user not signed in, when there is no sign-in form', async () => {
    const answer = await authorizeGet(w.url, authorizationParams().params);
    assert.equal(redirectedTo(answer).searchParams.get('error'), 'access_denied');
  });
});

describe('the authorize endpoint: dpop_jkt (RFC 9449 §10)', () => {
  it('refuses a dpop_jkt that is no SHA-256 JWK thumbprint with invalid_request, when DPoP is on', async () => {
    const w = await codeWorld({ dpop: true });
    try {
      for (const jkt of ['', 'short', `${'A'.repeat(42)}=`, `${'A'.repeat(43)}A`, `${'A'.repeat(42)}+`]) {
        const back = redirectedTo(await authorizeGet(w.url, authorizationParams({ dpop_jkt: jkt }).params));
        assert.equal(back.searchParams.get('error'), 'invalid_request', jkt);
        assert.match(back.searchParams.get('error_description')!, /dpop_jkt/);
      }
    } finally {
      await w.close();
    }
  });

  it('ignores dpop_jkt when DPoP is off (RFC 6749 §3.1: an unknown parameter): the code is redeemed as before', async () => {
    const w = await codeWorld();
    try {
      const { code, verifier } = await aliceCode(w.url, { dpop_jkt: 'not-a-thumbprint' });
      assert.equal((await redeem(w.url, code, verifier)).status, 200);
    } finally {
      await w.close();
    }
  });
});

describe('the authorize endpoint with a full code store', () => {
  it('sends temporarily_unavailable back rather than forget a code', async () => {
    const w = await codeWorld({ codes: memoryAuthorizationCodes({ maxEntries: 1 }) });
    await aliceCode(w.url);
    const { params } = authorizationParams();
    const answer = await authorizePost(w.url, params, {
      username: 'alice',
      password: 'alice-password-1',
      decision: 'allow',
    });
    assert.equal(redirectedTo(answer).searchParams.get('error'), 'temporarily_unavailable');
    await w.close();
  });
});
