/**
 * A refresh token is no bearer (RFC 6749 §1.5, RFC 6750): a resource server that introspects at a
 * Gatehouse issuer must refuse a refresh token sent as an access token, even one of its own client.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { protect } from '../../src/adapters/node/index.ts';
import { createGuard, introspectionScheme } from '../../src/server/index.ts';
import { API_RESOURCE, API_SECRET, type Issuer, introspectionIssuer } from '../support/introspection-issuer.ts';
import { type Listening, listen } from '../support/server.ts';

describe('introspectionScheme and a refresh token sent as a bearer token', () => {
  let issuer: Issuer;
  let api: Listening;
  before(async () => {
    issuer = await introspectionIssuer();
    // A backend that is both the OAuth client `api` and its own resource server (a BFF).
    const scheme = introspectionScheme({
      endpoint: `${issuer.url}/oauth/introspect`,
      clientId: 'api',
      clientSecret: API_SECRET,
      audience: API_RESOURCE,
      issuer: 'https://auth.test',
    });
    const handler = protect(createGuard({ schemes: [scheme] }), (req, res) =>
      res.end(JSON.stringify({ id: req.auth.id })),
    );
    api = await listen(createServer((req, res) => void handler(req, res)));
  });
  after(async () => {
    await api.close();
    await issuer.close();
  });

  it('the access token is let in; its refresh token is refused', async () => {
    const pair = await issuer.service.issue({ id: 'u-alice' }, { clientId: 'api', scope: 'read' });
    const call = (token: string) =>
      fetch(api.url, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      });
    assert.equal(await call(pair.access_token), 200);
    assert.ok(pair.refresh_token, 'the pair has a refresh token');
    assert.equal(await call(pair.refresh_token!), 401, 'a refresh token opened the API as an access token');
  });
});
