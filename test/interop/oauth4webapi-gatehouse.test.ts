/**
 * oauth4webapi 3.8.8 (panva's OAuth 2 client, which holds a server to the Security BCP and checks
 * `iss` and `state` itself) against Gatehouse's authorization server on a loopback port: RFC 8414
 * discovery, the authorization code flow with PKCE, client credentials, refresh rotation,
 * introspection, revocation, and every refusal as the library reports it. The expectations are
 * what oauth4webapi's own code does (build/index.js): `validateAuthResponse` compares `iss` to
 * `as.issuer` and `state` to the expected one before it looks at `error`, which it throws as an
 * `AuthorizationResponseError`; a token endpoint's OAuth error is a `ResponseBodyError` with the
 * `error` and `status` of the answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import {
  API,
  CALLBACK,
  CONFIDENTIAL_CLIENT,
  CONFIDENTIAL_SECRET,
  type InteropWorld,
  interopWorld,
  OTHER_CALLBACK,
  openAuthorize,
  PUBLIC_CLIENT,
  signIn,
} from '../support/interop-world.ts';

let world: InteropWorld;
let as: oauth.AuthorizationServer;
const http = { [oauth.allowInsecureRequests]: true } as const; // loopback: http://127.0.0.1
const app: oauth.Client = { client_id: PUBLIC_CLIENT };
const backend: oauth.Client = { client_id: CONFIDENTIAL_CLIENT };
const secretBasic = oauth.ClientSecretBasic(CONFIDENTIAL_SECRET);

before(async () => {
  world = await interopWorld();
  const issuer = new URL(world.issuer);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }),
  );
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

/** An authorization request as an app makes it with oauth4webapi's PKCE and state helpers. */
async function authorizationUrl(client: oauth.Client, extra: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'read',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  }).toString();
  return { url, verifier, state };
}

/** Alice signs in; the callback is validated by the library and its code exchanged. */
async function codeFlow(client: oauth.Client, auth: oauth.ClientAuth, extra: Record<string, string> = {}) {
  const { url, verifier, state } = await authorizationUrl(client, extra);
  const params = oauth.validateAuthResponse(as, client, await signIn(url), state);
  const exchange = () =>
    oauth
      .authorizationCodeGrantRequest(as, client, auth, params, CALLBACK, verifier, http)
      .then((response) => oauth.processAuthorizationCodeResponse(as, client, response));
  return { tokens: await exchange(), exchange };
}

const introspect = async (token: string) =>
  oauth.processIntrospectionResponse(
    as,
    backend,
    await oauth.introspectionRequest(as, backend, secretBasic, token, http),
  );

describe('oauth4webapi: discovery (RFC 8414)', () => {
  it('accepts the metadata: the issuer is the URL it was fetched from, with PKCE S256 and iss in responses', () => {
    assert.equal(as.issuer, world.issuer);
    assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
    assert.equal(as.authorization_response_iss_parameter_supported, true);
    assert.equal(as.token_endpoint, `${world.issuer}/oauth/token`);
  });

  it('refuses the same document fetched under another name for the server (issuer mismatch)', async () => {
    const alias = new URL(world.issuer.replace('127.0.0.1', 'localhost'));
    const error = await refusalOf(
      oauth
        .discoveryRequest(alias, { algorithm: 'oauth2', ...http })
        .then((r) => oauth.processDiscoveryResponse(alias, r)),
    );
    assert.ok(error instanceof oauth.OperationProcessingError);
    assert.equal(error.code, oauth.JSON_ATTRIBUTE_COMPARISON);
  });
});

describe('oauth4webapi: the grants', () => {
  it('completes the authorization code flow with PKCE as a public client; the token works at the API', async () => {
    const { tokens } = await codeFlow(app, oauth.None());
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'read');
    assert.ok(tokens.refresh_token);
    const me = await world.callApi('/me', tokens.access_token);
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { id: 'u-alice' });
  });

  it('asks for a resource (RFC 8707): the token is accepted by that API and refused by the issuer’s own', async () => {
    const { tokens } = await codeFlow(backend, secretBasic, { resource: API });
    assert.equal((await world.callApi('/api/me', tokens.access_token)).status, 200);
    assert.equal((await world.callApi('/me', tokens.access_token)).status, 401);
  });

  it('gets a token by client credentials (client_secret_post), which introspection describes', async () => {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      backend,
      oauth.ClientSecretPost(CONFIDENTIAL_SECRET),
      { scope: 'read' },
      http,
    );
    const tokens = await oauth.processClientCredentialsResponse(as, backend, response);
    assert.equal(tokens.refresh_token, undefined);
    const described = await introspect(tokens.access_token);
    assert.equal(described.active, true);
    assert.equal(described.client_id, CONFIDENTIAL_CLIENT);
    assert.equal(described.scope, 'read');
  });

  it('refreshes with rotation: a new refresh token each time, the old one refused afterwards', async () => {
    const { tokens } = await codeFlow(backend, secretBasic);
    const refresh = (token: string) =>
      oauth
        .refreshTokenGrantRequest(as, backend, secretBasic, token, http)
        .then((response) => oauth.processRefreshTokenResponse(as, backend, response));
    const next = await refresh(tokens.refresh_token!);
    assert.ok(next.refresh_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.equal((await world.callApi('/me', next.access_token)).status, 200);
    const error = await refusalOf(refresh(tokens.refresh_token!));
    assert.ok(error instanceof oauth.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
    assert.equal(error.status, 400);
  });

  it('revokes (RFC 7009): introspection then says inactive and the API refuses the token', async () => {
    const { tokens } = await codeFlow(backend, secretBasic);
    assert.equal((await introspect(tokens.access_token)).active, true);
    for (const token of [tokens.access_token, tokens.refresh_token!])
      assert.equal(
        await oauth.processRevocationResponse(await oauth.revocationRequest(as, backend, secretBasic, token, http)),
        undefined,
      );
    assert.deepEqual(await introspect(tokens.access_token), { active: false });
    assert.deepEqual(await introspect(tokens.refresh_token!), { active: false });
    assert.equal((await world.callApi('/me', tokens.access_token)).status, 401);
  });
});

describe('oauth4webapi: refusals', () => {
  it('plain PKCE: Gatehouse sends the browser back with invalid_request, which validateAuthResponse throws', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const { url, state } = await authorizationUrl(app, { code_challenge: verifier, code_challenge_method: 'plain' });
    const { status, location } = await openAuthorize(url);
    assert.equal(status, 303);
    const error = await refusalOf((async () => oauth.validateAuthResponse(as, app, location!, state))());
    assert.ok(error instanceof oauth.AuthorizationResponseError);
    assert.equal(error.error, 'invalid_request');
  });

  it('a wrong verifier: invalid_grant as a ResponseBodyError', async () => {
    const { url, state } = await authorizationUrl(app);
    const params = oauth.validateAuthResponse(as, app, await signIn(url), state);
    const other = oauth.generateRandomCodeVerifier();
    const response = await oauth.authorizationCodeGrantRequest(as, app, oauth.None(), params, CALLBACK, other, http);
    const error = await refusalOf(oauth.processAuthorizationCodeResponse(as, app, response));
    assert.ok(error instanceof oauth.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
  });

  it('a replayed code: invalid_grant, and the tokens of the first redemption stop working', async () => {
    const { tokens, exchange } = await codeFlow(backend, secretBasic);
    assert.equal((await introspect(tokens.access_token)).active, true);
    const error = await refusalOf(exchange());
    assert.ok(error instanceof oauth.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
    assert.deepEqual(await introspect(tokens.access_token), { active: false });
    assert.equal((await world.callApi('/me', tokens.access_token)).status, 401);
    const refresh = await oauth.refreshTokenGrantRequest(as, backend, secretBasic, tokens.refresh_token!, http);
    const refused = await refusalOf(oauth.processRefreshTokenResponse(as, backend, refresh));
    assert.equal((refused as oauth.ResponseBodyError).error, 'invalid_grant');
  });

  it('a redirect URI not registered: an error page at the authorize endpoint, no redirect', async () => {
    const { url } = await authorizationUrl(app, { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    const { status, location, html } = await openAuthorize(url);
    assert.equal(status, 400);
    assert.equal(location, undefined);
    assert.match(html, /cannot be completed/);
  });

  it('a redirect URI other than the request’s at the token endpoint: invalid_grant', async () => {
    const { url, verifier, state } = await authorizationUrl(app);
    const params = oauth.validateAuthResponse(as, app, await signIn(url), state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      app,
      oauth.None(),
      params,
      OTHER_CALLBACK,
      verifier,
      http,
    );
    const error = await refusalOf(oauth.processAuthorizationCodeResponse(as, app, response));
    assert.ok(error instanceof oauth.ResponseBodyError);
    assert.equal(error.error, 'invalid_grant');
  });

  it('a resource Gatehouse does not serve: invalid_target at the token and at the authorize endpoint', async () => {
    const unknown = 'https://unknown.interop.test';
    const response = await oauth.clientCredentialsGrantRequest(as, backend, secretBasic, { resource: unknown }, http);
    const error = await refusalOf(oauth.processClientCredentialsResponse(as, backend, response));
    assert.ok(error instanceof oauth.ResponseBodyError);
    assert.equal(error.error, 'invalid_target');
    const { url, state } = await authorizationUrl(app, { resource: unknown });
    const { location } = await openAuthorize(url);
    const refused = await refusalOf((async () => oauth.validateAuthResponse(as, app, location!, state))());
    assert.ok(refused instanceof oauth.AuthorizationResponseError);
    assert.equal(refused.error, 'invalid_target');
  });

  it('mix-up (RFC 9207): Gatehouse’s real callback validated for another server is refused, its code never sent', async () => {
    const { url, verifier, state } = await authorizationUrl(app);
    const callback = await signIn(url);
    // The app believes it sent the user to another authorization server: Gatehouse's iss does not match.
    const other: oauth.AuthorizationServer = { ...as, issuer: 'https://other-as.interop.test' };
    const error = await refusalOf((async () => oauth.validateAuthResponse(other, app, callback, state))());
    assert.ok(error instanceof oauth.OperationProcessingError);
    assert.equal(error.code, oauth.INVALID_RESPONSE);
    assert.match(error.message, /unexpected "iss"/);
    // The same callback with its iss altered is refused against Gatehouse's own metadata.
    const altered = new URL(callback);
    altered.searchParams.set('iss', 'https://other-as.interop.test');
    const alteredError = await refusalOf((async () => oauth.validateAuthResponse(as, app, altered, state))());
    assert.equal((alteredError as oauth.OperationProcessingError).code, oauth.INVALID_RESPONSE);
    // Nothing reached the token endpoint: the code is still good for the right server.
    const params = oauth.validateAuthResponse(as, app, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, app, oauth.None(), params, CALLBACK, verifier, http);
    assert.ok((await oauth.processAuthorizationCodeResponse(as, app, response)).access_token);
  });

  it('a callback whose state is not the one the app keeps is refused before its error or code is read', async () => {
    const { url } = await authorizationUrl(app);
    const callback = await signIn(url);
    const error = await refusalOf((async () => oauth.validateAuthResponse(as, app, callback, 'another-state'))());
    assert.equal((error as oauth.OperationProcessingError).code, oauth.INVALID_RESPONSE);
    assert.match(error.message, /"state"/);
  });
});
