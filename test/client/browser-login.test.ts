/** The browser helper against oidc-provider, with a Map standing in for sessionStorage. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { completeAuthorization, startAuthorization } from '../../src/client/browser-login.ts';
import { AuthorizationResponseError } from '../../src/client/errors/authorization-response-error.ts';
import { signInRedirect } from '../support/browser-play.ts';
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
