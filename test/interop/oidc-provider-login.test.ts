/**
 * A person signs in at a terminal against oidc-provider: the loopback login (authorization code +
 * PKCE, RFC 8252 §7.3) with the test playing the browser, refresh with rotation, revocation on
 * logout, the same sign-in reached from a bare 401, and the redirects back a client must refuse.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AuthenticationError,
  bearer,
  createClient,
  discoveredOAuth,
  IssuerMismatchError,
  LoginTimeoutError,
  memoryTokenStore,
  oauth2RefreshToken,
} from '../../src/client/index.ts';
import { loopbackLogin } from '../../src/client/loopback-login.ts';
import { followSignIn } from '../support/browser-play.ts';
import { type OidcProviderServer, startOidcProvider } from '../support/oidc-provider-server.ts';
import { type ProtectedApi, startProtectedApi } from '../support/protected-api.ts';

let api: ProtectedApi;
let as: OidcProviderServer;
const SCOPE = 'openid offline_access api:read';

before(async () => {
  api = await startProtectedApi();
  as = await startOidcProvider({ resource: api.resource });
  api.trust(as.issuer, as.publicKey);
});
after(async () => {
  await api?.close();
  await as?.close();
});

/** Answers the callback with whatever the test builds from the authorization URL. */
const callbackWith = (build: (url: URL) => Record<string, string>) => (start: string) => {
  const url = new URL(start);
  const callback = new URL(url.searchParams.get('redirect_uri')!);
  for (const [name, value] of Object.entries(build(url))) callback.searchParams.set(name, value);
  void fetch(callback).then((r) => r.body?.cancel());
};

describe('loopbackLogin against oidc-provider', () => {
  it('signs in with code + PKCE, refreshes with rotation, and revokes both tokens on logout', async () => {
    const printed: string[] = [];
    let page: Promise<Response> | undefined;
    const store = memoryTokenStore();
    const source = await loopbackLogin({
      issuer: as.issuer,
      clientId: 'cli',
      scope: SCOPE,
      resource: api.resource,
      store,
      print: (line) => {
        printed.push(line);
        page = followSignIn(line.split('\n')[1]!);
      },
    });
    const url = new URL(printed[0]!.split('\n')[1]!);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(url.searchParams.get('resource'), api.resource);
    const answer = await page!;
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), /Signed in/);

    const first = await source.getToken();
    const client = createClient({ baseUrl: api.origin, auth: bearer(source) });
    assert.deepEqual(await (await client.get('/api/me')).json(), { sub: 'alice', scope: 'api:read' });

    // Refresh: a new access token and, rotated, a new refresh token; the old one is spent.
    const second = await source.getToken({ rejected: first.accessToken });
    assert.notEqual(second.accessToken, first.accessToken);
    assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken, 'rotated');
    assert.equal((await source.introspect('refresh_token')).active, true);

    // Logout: both revoked at the server (the rotated refresh token no longer works) and dropped here.
    // oidc-provider cannot revoke a JWT access token (RFC 7009 §2.2.1); it expires on its own.
    assert.deepEqual(await source.revoke(), { refreshToken: 'revoked', accessToken: 'unsupported' });
    assert.equal(await store.get(`oauth2:authorization_code:${as.issuer}/token:cli`), undefined);
    assert.deepEqual(await source.introspect('refresh_token'), { active: false });
    for (const spent of [second.refreshToken, first.refreshToken]) {
      const replay = oauth2RefreshToken({ tokenUrl: `${as.issuer}/token`, clientId: 'cli', refreshToken: spent! });
      await assert.rejects(
        replay.getToken(),
        (error: unknown) => error instanceof AuthenticationError && error.oauthError === 'invalid_grant',
      );
    }
  });

  it('reaches the same sign-in from a bare 401 (discoveredOAuth with a login)', async () => {
    const client = createClient({
      auth: discoveredOAuth({
        clientId: 'cli',
        login: (request) => loopbackLogin({ ...request, scope: SCOPE, openBrowser: (url) => void followSignIn(url) }),
      }),
    });
    assert.deepEqual(await (await client.get(`${api.resource}/me`)).json(), { sub: 'alice', scope: 'api:read' });
  });

  it('answers a callback with another state 400 and keeps waiting: it cannot end the sign-in', async () => {
    let stray: Promise<number> | undefined;
    const login = loopbackLogin({
      issuer: as.issuer,
      clientId: 'cli',
      timeoutMs: 1_500,
      openBrowser: (start) => {
        const callback = new URL(new URL(start).searchParams.get('redirect_uri')!);
        for (const [name, value] of Object.entries({ code: 'x', state: 'not-the-one', iss: as.issuer }))
          callback.searchParams.set(name, value);
        stray = fetch(callback).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        });
      },
    });
    await assert.rejects(login, LoginTimeoutError);
    assert.equal(await stray, 400);
  });

  it('refuses a callback without iss, which oidc-provider says it always sends (RFC 9207)', async () => {
    const login = loopbackLogin({
      issuer: as.issuer,
      clientId: 'cli',
      openBrowser: callbackWith((url) => ({ code: 'x', state: url.searchParams.get('state')! })),
    });
    await assert.rejects(login, (error: unknown) => error instanceof IssuerMismatchError && error.named === undefined);
  });

  it('refuses a callback whose iss is another server (a mix-up)', async () => {
    const login = loopbackLogin({
      issuer: as.issuer,
      clientId: 'cli',
      openBrowser: callbackWith((url) => ({
        code: 'x',
        state: url.searchParams.get('state')!,
        iss: 'https://evil.example',
      })),
    });
    await assert.rejects(
      login,
      (error: unknown) => error instanceof IssuerMismatchError && error.named === 'https://evil.example',
    );
  });

  it('gives up when nobody signs in in time, and closes its listener', async () => {
    let redirect = '';
    const login = loopbackLogin({
      issuer: as.issuer,
      clientId: 'cli',
      timeoutMs: 200,
      openBrowser: (url) => {
        redirect = new URL(url).searchParams.get('redirect_uri')!;
      },
    });
    await assert.rejects(login, LoginTimeoutError);
    await assert.rejects(fetch(redirect), 'nothing listens any more');
  });
});
