/**
 * openid-client 6.9.0 (panva's certified relying-party library, over oauth4webapi) against
 * Gatehouse's authorization server on a loopback port: discovery, the authorization code flow with
 * PKCE, client credentials, refresh rotation, introspection, revocation, and every refusal as the
 * library reports it. The expectations are what openid-client's own code does (build/index.js):
 * `discovery()` compares the document's issuer with the URL it was given; `authorizationCodeGrant()`
 * takes the redirect_uri from the callback URL, validates `iss` and `state` before anything else
 * and throws the server's `error` as an `AuthorizationResponseError`; a token endpoint's OAuth
 * error is a `ResponseBodyError`; the library's own checks end in a `ClientError` with a `code`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import {
  API,
  CALLBACK,
  CONFIDENTIAL_CLIENT,
  CONFIDENTIAL_SECRET,
  type InteropWorld,
  interopWorld,
  openAuthorize,
  PUBLIC_CLIENT,
  signIn,
} from '../support/interop-world.ts';

let world: InteropWorld;
let app: client.Configuration;
let backend: client.Configuration;
// Gatehouse is an OAuth 2.0 server, not an OpenID provider: its metadata is RFC 8414's document.
const options: client.DiscoveryRequestOptions = { algorithm: 'oauth2', execute: [client.allowInsecureRequests] };

before(async () => {
  world = await interopWorld();
  app = await client.discovery(new URL(world.issuer), PUBLIC_CLIENT, undefined, client.None(), options);
  // A client secret and no method named: openid-client uses client_secret_post.
  backend = await client.discovery(new URL(world.issuer), CONFIDENTIAL_CLIENT, CONFIDENTIAL_SECRET, undefined, options);
});
after(() => world?.close());

/** The rejection `promise` ends with (the test fails when it fulfils). */
async function refusalOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  return assert.fail('expected the library to refuse');
}

/** An authorization URL built by openid-client, with its PKCE and state helpers. */
async function authorizationUrl(config: client.Configuration, extra: Record<string, string> = {}) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'read',
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    ...extra,
  });
  return { url, checks: { pkceCodeVerifier, expectedState } };
}

/** Alice signs in; openid-client validates the callback and exchanges its code. */
async function codeFlow(config: client.Configuration, extra: Record<string, string> = {}) {
  const { url, checks } = await authorizationUrl(config, extra);
  const callback = await signIn(url);
  return { tokens: await client.authorizationCodeGrant(config, callback, checks), callback, checks };
}

describe('openid-client: discovery (RFC 8414)', () => {
  it('accepts the metadata: the issuer is the URL discovery was given', () => {
    const metadata = app.serverMetadata();
    assert.equal(metadata.issuer, world.issuer);
    assert.equal(metadata.authorization_endpoint, `${world.issuer}/oauth/authorize`);
    assert.equal(metadata.supportsPKCE(), true);
  });

  it('refuses the document discovered under another name for the server (issuer mismatch)', async () => {
    const alias = new URL(world.issuer.replace('127.0.0.1', 'localhost'));
    const error = await refusalOf(client.discovery(alias, PUBLIC_CLIENT, undefined, client.None(), options));
    assert.ok(error instanceof client.ClientError);
    assert.equal(error.code, 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
  });

  it('without algorithm oauth2 it asks for OpenID discovery, which Gatehouse (no OpenID provider) does not serve', async () => {
    const issuer = new URL(world.issuer);
    const error = await refusalOf(
      client.discovery(issuer, PUBLIC_CLIENT, undefined, client.None(), { execute: [client.allowInsecureRequests] }),
    );
    assert.ok(error instanceof client.ClientError);
    assert.equal(error.code, 'OAUTH_RESPONSE_IS_NOT_CONFORM');
  });
});

describe('openid-client: the grants', () => {
  it('completes the authorization code flow with PKCE as a public client; the token works at the API', async () => {
    const { tokens } = await codeFlow(app);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'read');
    assert.ok((tokens.expiresIn() ?? 0) > 0);
    const me = await world.callApi('/me', tokens.access_token);
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { id: 'u-alice' });
  });

  it('asks for a resource (RFC 8707): the token is accepted by that API and refused by the issuer’s own', async () => {
    const { tokens } = await codeFlow(backend, { resource: API });
    assert.equal((await world.callApi('/api/me', tokens.access_token)).status, 200);
    assert.equal((await world.callApi('/me', tokens.access_token)).status, 401);
  });

  it('gets a token by client credentials, which tokenIntrospection describes', async () => {
    const tokens = await client.clientCredentialsGrant(backend, { scope: 'read' });
    const described = await client.tokenIntrospection(backend, tokens.access_token);
    assert.equal(described.active, true);
    assert.equal(described.client_id, CONFIDENTIAL_CLIENT);
    assert.equal(described.scope, 'read');
  });

  it('refreshes with rotation: a new refresh token each time, the old one refused afterwards', async () => {
    const { tokens } = await codeFlow(app);
    const next = await client.refreshTokenGrant(app, tokens.refresh_token!);
    assert.ok(next.refresh_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.equal((await world.callApi('/me', next.access_token)).status, 200);
    const error = await refusalOf(client.refreshTokenGrant(app, tokens.refresh_token!));
    assert.ok(error instanceof client.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
    assert.equal(error.status, 400);
  });

  it('revokes (RFC 7009): tokenIntrospection then says inactive and the API refuses the token', async () => {
    const { tokens } = await codeFlow(backend);
    assert.equal((await client.tokenIntrospection(backend, tokens.access_token)).active, true);
    await client.tokenRevocation(backend, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    await client.tokenRevocation(backend, tokens.access_token);
    assert.deepEqual({ ...(await client.tokenIntrospection(backend, tokens.access_token)) }, { active: false });
    assert.deepEqual({ ...(await client.tokenIntrospection(backend, tokens.refresh_token!)) }, { active: false });
    assert.equal((await world.callApi('/me', tokens.access_token)).status, 401);
  });
});

describe('openid-client: refusals', () => {
  it('plain PKCE: Gatehouse sends the browser back with invalid_request, an AuthorizationResponseError', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const { url, checks } = await authorizationUrl(app, { code_challenge: verifier, code_challenge_method: 'plain' });
    const { status, location } = await openAuthorize(url);
    assert.equal(status, 303);
    const error = await refusalOf(client.authorizationCodeGrant(app, location!, checks));
    assert.ok(error instanceof client.AuthorizationResponseError);
    assert.equal(error.error, 'invalid_request');
  });

  it('a wrong verifier: invalid_grant as a ResponseBodyError', async () => {
    const { url, checks } = await authorizationUrl(app);
    const callback = await signIn(url);
    const wrong = { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() };
    const error = await refusalOf(client.authorizationCodeGrant(app, callback, wrong));
    assert.ok(error instanceof client.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
  });

  it('a replayed code: invalid_grant, and the tokens of the first redemption stop working', async () => {
    const { tokens, callback, checks } = await codeFlow(backend);
    const error = await refusalOf(client.authorizationCodeGrant(backend, callback, checks));
    assert.ok(error instanceof client.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
    assert.equal((await client.tokenIntrospection(backend, tokens.access_token)).active, false);
    assert.equal((await world.callApi('/me', tokens.access_token)).status, 401);
    const refused = await refusalOf(client.refreshTokenGrant(backend, tokens.refresh_token!));
    assert.equal((refused as client.ResponseBodyError).error, 'invalid_grant');
  });

  it('a redirect URI not registered: an error page at the authorize endpoint, no redirect', async () => {
    const { url } = await authorizationUrl(app, { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    const { status, location, html } = await openAuthorize(url);
    assert.equal(status, 400);
    assert.equal(location, undefined);
    assert.match(html, /cannot be completed/);
  });

  it('a callback handled at another registered path: its redirect_uri differs, invalid_grant', async () => {
    const { url, checks } = await authorizationUrl(app);
    const callback = await signIn(url);
    // openid-client sends the callback URL without its query as redirect_uri: here, /other.
    callback.pathname = '/other';
    const error = await refusalOf(client.authorizationCodeGrant(app, callback, checks));
    assert.ok(error instanceof client.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
  });

  it('a resource Gatehouse does not serve: invalid_target at the token and at the authorize endpoint', async () => {
    const unknown = 'https://unknown.interop.test';
    const error = await refusalOf(client.clientCredentialsGrant(backend, { resource: unknown }));
    assert.ok(error instanceof client.ResponseBodyError);
    assert.equal(error.error, 'invalid_target');
    const { url, checks } = await authorizationUrl(app, { resource: unknown });
    const { location } = await openAuthorize(url);
    const refused = await refusalOf(client.authorizationCodeGrant(app, location!, checks));
    assert.ok(refused instanceof client.AuthorizationResponseError);
    assert.equal(refused.error, 'invalid_target');
  });

  it('mix-up (RFC 9207): Gatehouse’s real callback handled for another server is refused, its code never sent', async () => {
    const { url, checks } = await authorizationUrl(app);
    const callback = await signIn(url);
    // The app believes it sent the user to another authorization server: Gatehouse's iss does not match.
    const { supportsPKCE: _, ...discovered } = app.serverMetadata();
    const metadata: client.ServerMetadata = { ...discovered, issuer: 'https://other-as.interop.test' };
    const other = new client.Configuration(metadata, PUBLIC_CLIENT, undefined, client.None());
    client.allowInsecureRequests(other);
    const error = await refusalOf(client.authorizationCodeGrant(other, callback, checks));
    assert.ok(error instanceof client.ClientError);
    assert.equal(error.code, 'OAUTH_INVALID_RESPONSE');
    assert.match(String((error.cause as Error).message), /unexpected "iss"/);
    // The same callback with its iss altered is refused by Gatehouse's own configuration.
    const altered = new URL(callback);
    altered.searchParams.set('iss', 'https://other-as.interop.test');
    const alteredError = await refusalOf(client.authorizationCodeGrant(app, altered, checks));
    assert.equal((alteredError as client.ClientError).code, 'OAUTH_INVALID_RESPONSE');
    // Nothing reached the token endpoint: the code is still good for the right server.
    assert.ok((await client.authorizationCodeGrant(app, callback, checks)).access_token);
  });
});
