/** The browser helper against oidc-provider, with a Map standing in for sessionStorage. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { completeAuthorization, startAuthorization } from '../../src/client/browser-login.ts';
import { AuthorizationResponseError } from '../../src/client/errors/authorization-response-error.ts';
import { dpop } from '../../src/client/index.ts';
import { signInRedirect } from '../support/browser-play.ts';
import { CALLBACK, type InteropWorld, interopWorld, PUBLIC_CLIENT, signIn } from '../support/interop-world.ts';
import { type OidcProviderServer, startOidcProvider } from '../support/oidc-provider-server.ts';

let as: OidcProviderServer;
before(async () => {
  as = await startOidcProvider({ resource: 'http://127.0.0.1:9/api' });
});
after(() => as?.close());

function sessionStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('startAuthorization / completeAuthorization', () => {
  it('keeps state and verifier in storage, then exchanges the code once', async () => {
    const storage = sessionStorage();
    const options = {
      issuer: as.issuer,
      clientId: 'cli',
      redirectUri: 'http://127.0.0.1:9/callback',
      scope: 'openid',
      storage,
    };
    const url = new URL(await startAuthorization(options));
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('dpop_jkt'), null, 'no DPoP key, no dpop_jkt');
    const [kept] = [...storage.items.values()];
    assert.ok(kept && !url.href.includes(JSON.parse(kept).verifier), 'the verifier stays in storage');

    const callback = await signInRedirect(url.href);
    const source = await completeAuthorization(callback, options);
    assert.ok((await source.getToken()).accessToken);
    assert.equal(storage.items.size, 0, 'used once');
    await assert.rejects(completeAuthorization(callback, options), AuthorizationResponseError);
  });

  it('refuses a redirect back whose state this page never started', async () => {
    const storage = sessionStorage();
    const options = { issuer: as.issuer, clientId: 'cli', redirectUri: 'http://127.0.0.1:9/callback', storage };
    await assert.rejects(
      completeAuthorization(
        `http://127.0.0.1:9/callback?code=x&state=forged&iss=${encodeURIComponent(as.issuer)}`,
        options,
      ),
      AuthorizationResponseError,
    );
  });
});

describe('startAuthorization / completeAuthorization with a DPoP key, against Gatehouse (RFC 9449 §10)', () => {
  let world: InteropWorld;
  before(async () => {
    world = await interopWorld({ dpop: true });
  });
  after(() => world?.close());
  const optionsWith = (key: ReturnType<typeof dpop>, storage = sessionStorage()) => ({
    issuer: world.issuer,
    clientId: PUBLIC_CLIENT,
    redirectUri: CALLBACK,
    scope: 'read',
    storage,
    dpop: key,
  });

  it('the authorization URL names the key (dpop_jkt); the code becomes DPoP-bound tokens that refresh bound', async () => {
    const key = dpop();
    const options = optionsWith(key);
    const url = new URL(await startAuthorization(options));
    const jkt = await key.thumbprint();
    assert.equal(url.searchParams.get('dpop_jkt'), jkt);
    const source = await completeAuthorization(await signIn(url), options);
    const token = await source.getToken();
    assert.deepEqual([token.tokenType, decodeJwt(token.accessToken).cnf], ['DPoP', { jkt }]);
    const refreshed = await source.getToken({ rejected: token.accessToken });
    assert.deepEqual([refreshed.tokenType, decodeJwt(refreshed.accessToken).cnf], ['DPoP', { jkt }]);
  });

  it('refuses to complete with another key than the sign-in started with, saying to keep the key', async () => {
    const storage = sessionStorage();
    const url = new URL(await startAuthorization(optionsWith(dpop(), storage)));
    const callback = await signIn(url);
    // A page reloaded by the redirect back that made itself a new key:
    await assert.rejects(completeAuthorization(callback, optionsWith(dpop(), storage)), (error: TypeError) => {
      assert.equal((error as TypeError & { code?: string }).code, 'ERR_GATEHOUSE_INVALID_ARGUMENT');
      assert.match(error.message, /same key.*IndexedDB/);
      return true;
    });
  });
});
