/**
 * The Gatehouse client against oidc-provider (an OpenID Certified authorization server nobody
 * here wrote), in this process on a loopback port: from a bare 401 to a token through RFC 9728 and
 * RFC 8414 discovery, client credentials, introspection and revocation through the token source,
 * and the refusals a client must make before it sends its secret anywhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createClient,
  DiscoveryError,
  discoveredOAuth,
  IssuerMismatchError,
  memoryTokenStore,
  oauth2ClientCredentials,
  ResourceMismatchError,
} from '../../src/client/index.ts';
import { type OidcProviderServer, startOidcProvider } from '../support/oidc-provider-server.ts';
import { type ProtectedApi, startProtectedApi } from '../support/protected-api.ts';

let api: ProtectedApi;
let as: OidcProviderServer;
const SECRET = 'service-secret-value';

before(async () => {
  api = await startProtectedApi();
  as = await startOidcProvider({ resource: api.resource });
  api.trust(as.issuer, as.publicKey);
});
after(async () => {
  await api?.close();
  await as?.close();
});

async function introspect(token: string, hint: string): Promise<{ active: boolean }> {
  const response = await fetch(`${as.issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`service:${SECRET}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token, token_type_hint: hint }),
  });
  return (await response.json()) as { active: boolean };
}

describe('discoveredOAuth: from a bare 401 to a token', () => {
  it('follows resource_metadata to oidc-provider, gets a token for the resource, and calls again once', async () => {
    const refreshes: boolean[] = [];
    const client = createClient({
      auth: discoveredOAuth({
        clientId: 'service',
        clientSecret: SECRET,
        authorizationServer: as.issuer,
        scope: 'api:read',
      }),
      onRefresh: (event) => refreshes.push(event.recovered),
    });
    const before401 = api.hits.get('/api/me') ?? 0;
    const answer = (await (await client.get(`${api.resource}/me`)).json()) as { sub: string; scope: string };
    assert.deepEqual(answer, { sub: 'service', scope: 'api:read' });
    assert.equal((api.hits.get('/api/me') ?? 0) - before401, 2, 'a 401, then the call again with the token');
    assert.deepEqual(refreshes, [true]);

    // Kept per origin: the next call carries the token at once, with no 401 and no discovery.
    const metadataFetches = api.hits.get('/.well-known/oauth-protected-resource/api');
    assert.equal((await client.get(`${api.resource}/reports`)).status, 200);
    assert.equal(api.hits.get('/api/reports'), 1);
    assert.equal(api.hits.get('/.well-known/oauth-protected-resource/api'), metadataFetches);
  });

  it('refuses metadata that names another resource, and asks no authorization server for anything', async () => {
    const client = createClient({
      auth: discoveredOAuth({ clientId: 'service', clientSecret: SECRET, authorizationServer: as.issuer }),
    });
    const error = await client.get(`${api.origin}/other/me`).catch((e: unknown) => e);
    assert.ok(error instanceof ResourceMismatchError, String(error));
    assert.equal(error.code, 'ERR_GATEHOUSE_RESOURCE_MISMATCH');
    assert.equal(error.named, api.resource);
    assert.match(error.message, /RFC 9728 §3\.3/);
    assert.doesNotMatch(error.message, new RegExp(SECRET));
  });

  it('refuses authorization server metadata whose issuer is not the one named, and sends no token request', async () => {
    const client = createClient({
      auth: discoveredOAuth({
        clientId: 'service',
        clientSecret: SECRET,
        authorizationServer: `${api.origin}/fake-as`,
      }),
    });
    const error = await client.get(`${api.origin}/mixup/me`).catch((e: unknown) => e);
    assert.ok(error instanceof IssuerMismatchError, String(error));
    assert.equal(error.expected, `${api.origin}/fake-as`);
    assert.equal(error.named, as.issuer);
    assert.equal(api.hits.get('/fake-as/token'), undefined, 'the client secret went nowhere');
  });

  it('does not keep a failed discovery: the next 401 tries again', async () => {
    const client = createClient({
      auth: discoveredOAuth({
        clientId: 'service',
        clientSecret: SECRET,
        authorizationServer: `${api.origin}/fake-as`,
      }),
    });
    const fetches = () => api.hits.get('/.well-known/oauth-authorization-server/fake-as') ?? 0;
    const start = fetches();
    await assert.rejects(client.get(`${api.origin}/mixup/a`), IssuerMismatchError);
    await assert.rejects(client.get(`${api.origin}/mixup/b`), IssuerMismatchError);
    assert.equal(fetches() - start, 2);
  });

  it('refuses a resource_metadata URL on a link-local address before fetching it', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) =>
      res
        .writeHead(401, { 'www-authenticate': 'Bearer resource_metadata="http://169.254.169.254/latest/meta-data"' })
        .end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client = createClient({
      auth: discoveredOAuth({ clientId: 'service', clientSecret: SECRET, authorizationServer: as.issuer }),
    });
    const error = await client.get(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e);
    server.close();
    assert.ok(error instanceof DiscoveryError, String(error));
    assert.match(error.message, /plain http is allowed on a loopback host only|link-local/);
  });
});

describe('a token source over oidc-provider: client credentials, introspection, revocation', () => {
  it('gets a token, introspects it as active, and revokes it on logout', async () => {
    const store = memoryTokenStore();
    const source = oauth2ClientCredentials({
      tokenUrl: `${as.issuer}/token`,
      introspectionUrl: `${as.issuer}/token/introspection`,
      revocationUrl: `${as.issuer}/token/revocation`,
      clientId: 'service',
      clientSecret: SECRET,
      store,
    });
    const token = await source.getToken();
    const seen = await source.introspect();
    assert.equal(seen.active, true);
    assert.equal(seen.client_id, 'service');
    assert.deepEqual(await source.revoke(), { refreshToken: 'none', accessToken: 'revoked' });
    assert.equal((await introspect(token.accessToken, 'access_token')).active, false, 'revoked at the server');
    assert.deepEqual(await source.introspect(), { active: false }, 'nothing held any more');
    const fresh = await source.getToken();
    assert.notEqual(fresh.accessToken, token.accessToken);
  });
});
