/**
 * discoveredOAuth's memory of what it discovered: kept per origin for later calls, and bounded
 * against an API that names a new resource on every 401.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createClient, discoveredOAuth } from '../../../src/client/index.ts';
import { type Listening, listen } from '../../support/server.ts';

describe('discoveredOAuth: what it keeps', () => {
  let server: Listening;
  const metadataFetches = new Map<string, number>();
  before(async () => {
    // One origin is both the authorization server (metadata, a token endpoint that answers every
    // client credentials request) and an API with one resource per path /rN, each with its own metadata.
    server = await listen(
      createServer((req, res) => {
        const url = new URL(req.url ?? '/', server.url);
        const json = (body: unknown): void =>
          void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (url.pathname === '/.well-known/oauth-authorization-server')
          return json({
            issuer: server.url,
            token_endpoint: `${server.url}/token`,
            grant_types_supported: ['client_credentials'],
          });
        if (url.pathname === '/token') return json({ access_token: 'granted', token_type: 'Bearer', expires_in: 3600 });
        const prm = /^\/\.well-known\/oauth-protected-resource\/(r\d+)$/.exec(url.pathname);
        if (prm) {
          metadataFetches.set(prm[1]!, (metadataFetches.get(prm[1]!) ?? 0) + 1);
          return json({ resource: `${server.url}/${prm[1]}`, authorization_servers: [server.url] });
        }
        if (req.headers.authorization === 'Bearer granted') return json({ ok: true });
        const resource = url.pathname.split('/')[1];
        return void res
          .writeHead(401, {
            'www-authenticate': `Bearer resource_metadata="${server.url}/.well-known/oauth-protected-resource/${resource}"`,
          })
          .end();
      }),
    );
  });
  after(() => server.close());

  it('keeps a discovery for the next call, and only the most recent 16 resources of an origin', async () => {
    const client = createClient({
      retry: false,
      auth: discoveredOAuth({ clientId: 'svc', clientSecret: 's3cret-value', authorizationServer: server.url }),
    });
    for (let i = 0; i < 20; i++) assert.equal((await client.get(`${server.url}/r${i}/x`)).status, 200);
    // Known: r19's next call carries its token at once; no second discovery.
    assert.equal((await client.get(`${server.url}/r19/y`)).status, 200);
    assert.equal(metadataFetches.get('r19'), 1);
    // r0 fell out of the 16 kept: its next 401 discovers again.
    assert.equal((await client.get(`${server.url}/r0/y`)).status, 200);
    assert.equal(metadataFetches.get('r0'), 2);
  });
});
