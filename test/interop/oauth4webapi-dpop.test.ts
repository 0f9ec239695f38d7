/**
 * oauth4webapi's DPoP (`oauth.DPoP(client, keyPair)`, build/index.js DPoPHandler) against
 * Gatehouse's authorization server and DPoP scheme on a loopback port, with server nonces on. What
 * the library does, read from its code: each request gets a proof with `htu` = origin + path, a
 * 43-character random jti and `ath` for resource requests; it caches a `DPoP-Nonce` per origin from
 * every answer; a `use_dpop_nonce` refusal surfaces as a ResponseBodyError (token endpoint) or a
 * WWWAuthenticateChallengeError (resource) that `isDPoPNonceError` recognises, and the caller retries;
 * `calculateThumbprint()` gives the `dpop_jkt` that binds an authorization code to the key (RFC 9449 §10).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { type DpopWorld, dpopWorld } from '../support/dpop-world.ts';
import {
  CALLBACK,
  CONFIDENTIAL_CLIENT,
  CONFIDENTIAL_SECRET,
  type InteropWorld,
  interopWorld,
  PUBLIC_CLIENT,
  signIn,
} from '../support/interop-world.ts';

const http = { [oauth.allowInsecureRequests]: true } as const;
const secret = 'nonce-secret-of-at-least-32-bytes!!';
const client: oauth.Client = { client_id: 'web' };

/** Runs `attempt` and, on a use_dpop_nonce refusal, once more (the nonce is cached by then). */
async function withNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return attempt();
  }
}

describe('oauth4webapi DPoP against Gatehouse (nonces on)', () => {
  let w: DpopWorld;
  let as: oauth.AuthorizationServer;
  before(async () => {
    w = await dpopWorld({ nonce: { secret } }, { nonce: { secret } });
    as = { issuer: 'https://auth.test', token_endpoint: `${w.url}/oauth/token` };
  });
  after(() => w.close());

  it('gets a DPoP-bound token, calls the API with it, refreshes with the same key', async () => {
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(client, keyPair);
    const grant = () =>
      withNonceRetry(async () =>
        oauth.processGenericTokenEndpointResponse(
          as,
          client,
          await oauth.genericTokenEndpointRequest(
            as,
            client,
            oauth.None(),
            'password',
            new URLSearchParams({ username: 'alice', password: 'alice-password-1' }),
            { DPoP, ...http },
          ),
        ),
      );
    const tokens = await grant();
    // oauth4webapi lower-cases token_type (processGenericAccessTokenResponse).
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: await DPoP.calculateThumbprint() });

    const call = () =>
      withNonceRetry(() =>
        oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${w.url}/api/me`), undefined, undefined, {
          DPoP,
          ...http,
        }),
      );
    const response = await call();
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: 'u-alice', scheme: 'dpop' });

    const refreshed = await withNonceRetry(async () =>
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { DPoP, ...http }),
      ),
    );
    assert.equal(refreshed.token_type, 'dpop');
  });

  it("the same token through another key's handler is refused as a DPoP challenge (its Ed25519 proof itself accepted)", async () => {
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const tokens = await withNonceRetry(async () =>
      oauth.processGenericTokenEndpointResponse(
        as,
        client,
        await oauth.genericTokenEndpointRequest(
          as,
          client,
          oauth.None(),
          'password',
          new URLSearchParams({ username: 'alice', password: 'alice-password-1' }),
          { DPoP, ...http },
        ),
      ),
    );
    const thief = oauth.DPoP(client, await oauth.generateKeyPair('EdDSA'));
    const error = await withNonceRetry(() =>
      oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${w.url}/api/me`), undefined, undefined, {
        DPoP: thief,
        ...http,
      }),
    ).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof oauth.WWWAuthenticateChallengeError);
    const [challenge] = error.cause;
    assert.equal(challenge?.scheme, 'dpop');
    assert.equal(challenge?.parameters.error, 'invalid_token');
    assert.equal(challenge?.parameters.algs, 'ES256 EdDSA Ed25519');
  });
});

describe('oauth4webapi DPoP: the authorization code grant (RFC 9449 §5)', () => {
  let world: InteropWorld;
  let as: oauth.AuthorizationServer;
  before(async () => {
    world = await interopWorld({ dpop: true });
    const issuer = new URL(world.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }),
    );
  });
  after(() => world?.close());

  /** The code flow, its code redeemed with `DPoP`'s proof; `dpopJkt`: the authorization request binds the code to that key. */
  async function codeFlow(app: oauth.Client, auth: oauth.ClientAuth, DPoP: oauth.DPoPHandle, dpopJkt?: string) {
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: app.client_id,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'read',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(dpopJkt ? { dpop_jkt: dpopJkt } : {}),
    }).toString();
    const params = oauth.validateAuthResponse(as, app, await signIn(url), oauth.expectNoState);
    return oauth.processAuthorizationCodeResponse(
      as,
      app,
      await oauth.authorizationCodeGrantRequest(as, app, auth, params, CALLBACK, verifier, { DPoP, ...http }),
    );
  }

  it('a public client gets a bound access token and a bound refresh token; a confidential one, a bound access token only', async () => {
    assert.deepEqual(as.dpop_signing_alg_values_supported, ['ES256', 'EdDSA', 'Ed25519']);
    const app: oauth.Client = { client_id: PUBLIC_CLIENT };
    const appKey = oauth.DPoP(app, await oauth.generateKeyPair('ES256'));
    const tokens = await codeFlow(app, oauth.None(), appKey);
    assert.equal(tokens.token_type, 'dpop');
    const jkt = await appKey.calculateThumbprint();
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
    assert.ok(tokens.refresh_token!.endsWith(`.${jkt}`));
    // Without the key, the refresh token is refused; with it, refreshed.
    const stolen = await oauth
      .refreshTokenGrantRequest(as, app, oauth.None(), tokens.refresh_token!, http)
      .then((response) => oauth.processRefreshTokenResponse(as, app, response))
      .catch((e: unknown) => e);
    assert.ok(stolen instanceof oauth.ResponseBodyError && stolen.error === 'invalid_dpop_proof');

    const backend: oauth.Client = { client_id: CONFIDENTIAL_CLIENT };
    const backendKey = oauth.DPoP(backend, await oauth.generateKeyPair('ES256'));
    const own = await codeFlow(backend, oauth.ClientSecretBasic(CONFIDENTIAL_SECRET), backendKey);
    assert.equal(own.token_type, 'dpop');
    assert.deepEqual(decodeJwt(own.access_token).cnf, { jkt: await backendKey.calculateThumbprint() });
    assert.ok(!own.refresh_token!.includes('.'), "a confidential client's refresh token is bound to its credentials");
  });

  it('a code bound to the key by dpop_jkt (calculateThumbprint, RFC 9449 §10): redeemed with its proof, refused with another key', async () => {
    const app: oauth.Client = { client_id: PUBLIC_CLIENT };
    const key = oauth.DPoP(app, await oauth.generateKeyPair('ES256'));
    const jkt = await key.calculateThumbprint();
    const tokens = await codeFlow(app, oauth.None(), key, jkt);
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });

    const other = oauth.DPoP(app, await oauth.generateKeyPair('EdDSA'));
    const refused = await codeFlow(app, oauth.None(), other, jkt).catch((e: unknown) => e);
    assert.ok(refused instanceof oauth.ResponseBodyError, String(refused));
    assert.equal(refused.error, 'invalid_grant');
    assert.match(refused.error_description ?? '', /dpop_jkt/);
  });
});
