/**
 * The introspection endpoint (RFC 7662) through the authorization server's handler, over a
 * socket, with the memory store and a real token service: who may ask, what an active token's
 * answer holds, and the one `{"active":false}` for everything else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import {
  API_RESOURCE,
  API_SECRET,
  type Issuer,
  introspectionIssuer,
  SVC_SECRET,
} from '../../support/introspection-issuer.ts';
import { basicClient, post } from '../../support/token-world.ts';

describe('the introspection endpoint (RFC 7662)', () => {
  let issuer: Issuer;
  before(async () => {
    issuer = await introspectionIssuer();
  });
  after(() => issuer.close());
  const alice = { id: 'u-alice', roles: ['member'] };
  const introspect = (token: string, client = basicClient('svc', SVC_SECRET), extra: Record<string, string> = {}) =>
    post(`${issuer.url}/oauth/introspect`, { token, ...extra }, client);

  it('describes an active access token to the client it was issued to (§2.2), never cached', async () => {
    const { access_token } = await issuer.service.issue(alice, { clientId: 'svc', scope: 'read', refresh: false });
    const answer = await introspect(access_token, basicClient('svc', SVC_SECRET), { token_type_hint: 'access_token' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const claims = decodeJwt(access_token);
    assert.deepEqual(answer.body, {
      active: true,
      token_type: 'Bearer',
      scope: 'read',
      client_id: 'svc',
      sub: 'u-alice',
      exp: claims.exp,
      iat: claims.iat,
      aud: API_RESOURCE,
      iss: 'https://auth.test',
      jti: claims.jti,
    });
  });

  it('answers only {"active":false} for an unknown, expired, revoked or malformed token', async () => {
    const expired = await issuer.service.signAccessToken(alice, {
      clientId: 'svc',
      scope: 'read',
      expiresAt: Date.now() - 60_000,
    });
    const { access_token } = await issuer.service.issue(alice, { clientId: 'svc', scope: 'read', refresh: false });
    await issuer.service.revoke(access_token, { clientId: 'svc' });
    for (const token of ['rt_unknown', 'not-a-jwt', expired, access_token, `${access_token.slice(0, -4)}AAAA`]) {
      const answer = await introspect(token);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { active: false });
    }
  });

  it('a refresh token is active while current: not once rotated, not once its family is revoked', async () => {
    const first = await issuer.service.issue(alice, { clientId: 'svc', scope: 'read' });
    const active = await introspect(first.refresh_token!, basicClient('svc', SVC_SECRET), {
      token_type_hint: 'refresh_token',
    });
    assert.equal(active.body.active, true);
    assert.equal(active.body.client_id, 'svc');
    assert.equal(active.body.sub, 'u-alice');
    assert.equal(active.body.token_type, undefined);
    const next = await issuer.service.refresh(first.refresh_token!, {
      clientId: 'svc',
      currentIdentity: () => ({ ...alice, scopes: ['read'] }),
    });
    assert.deepEqual((await introspect(first.refresh_token!)).body, { active: false });
    assert.equal((await introspect(next.refresh_token!)).body.active, true);
    await issuer.service.revoke(next.refresh_token!, { clientId: 'svc' });
    assert.deepEqual((await introspect(next.refresh_token!)).body, { active: false });
  });

  it("hides another client's tokens, unless the policy lets this caller see an access token (§4)", async () => {
    const pair = await issuer.service.issue(alice, { clientId: 'web', scope: 'read' });
    // svc may not see web's tokens: the answer is the same as for a token that does not exist.
    assert.deepEqual((await introspect(pair.access_token)).body, { active: false });
    // api, a resource server the token's aud names, may see the access token, never the refresh token.
    const api = basicClient('api', API_SECRET);
    assert.equal((await introspect(pair.access_token, api)).body.active, true);
    assert.deepEqual((await introspect(pair.refresh_token!, api)).body, { active: false });
  });

  it('requires an authenticated confidential client (§2.1): none, a wrong secret or a public client is invalid_client', async () => {
    const { access_token } = await issuer.service.issue(alice, { clientId: 'web', scope: 'read', refresh: false });
    const anonymous = await post(`${issuer.url}/oauth/introspect`, { token: access_token });
    assert.equal(anonymous.body.error, 'invalid_client');
    const wrong = await introspect(access_token, basicClient('svc', 'not-the-secret'));
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic /);
    const publicClient = await post(`${issuer.url}/oauth/introspect`, { token: access_token, client_id: 'web' });
    assert.equal(publicClient.status, 401);
    assert.equal(publicClient.body.error, 'invalid_client');
    assert.equal(JSON.stringify(publicClient.body).includes(access_token), false);
  });

  it('a request without token is invalid_request; GET is 405', async () => {
    const missing = await post(`${issuer.url}/oauth/introspect`, {}, basicClient('svc', SVC_SECRET));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
    const get = await fetch(`${issuer.url}/oauth/introspect`);
    assert.equal(get.status, 405);
  });

  it('is listed in the metadata (RFC 8414 §2) with the auth methods it takes', async () => {
    const metadata = await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json();
    assert.equal(metadata.introspection_endpoint, 'https://auth.test/oauth/introspect');
    assert.deepEqual(metadata.introspection_endpoint_auth_methods_supported, [
      'client_secret_basic',
      'client_secret_post',
    ]);
  });
});
