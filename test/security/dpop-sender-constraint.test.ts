/**
 * A DPoP-bound access token (RFC 9449 §6) is worthless without its key, whichever way the API checks
 * tokens: one verified by asking its issuer (RFC 7662) must not open the API as a Bearer token.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { protect } from '../../src/adapters/node/index.ts';
import { createGuard, introspectionScheme } from '../../src/server/index.ts';
import { proofKey } from '../support/dpop-world.ts';
import { API_RESOURCE, API_SECRET, type Issuer, introspectionIssuer } from '../support/introspection-issuer.ts';
import { type Listening, listen } from '../support/server.ts';

describe('a stolen DPoP-bound token sent as Bearer to an API that introspects', () => {
  let issuer: Issuer;
  let api: Listening;
  before(async () => {
    issuer = await introspectionIssuer();
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

  it('the issuer says the token is DPoP-bound (cnf.jkt, token_type DPoP), and the API refuses it as Bearer', async () => {
    const key = await proofKey();
    const pair = await issuer.service.issue({ id: 'u-alice' }, { clientId: 'web', scope: 'read', jkt: key.jkt });
    const answer = await fetch(`${issuer.url}/oauth/introspect`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`api:${API_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: pair.access_token }),
    }).then((r) => r.json());
    assert.equal(answer.active, true);
    // RFC 9449 §6.2: the introspection answer of a bound token carries its key's thumbprint.
    assert.deepEqual(answer.cnf, { jkt: key.jkt });
    assert.equal(answer.token_type, 'DPoP');
    const response = await fetch(api.url, { headers: { authorization: `Bearer ${pair.access_token}` } });
    assert.equal(response.status, 401, 'a stolen DPoP-bound token opened the API as a Bearer token');
    assert.equal((await response.json()).code, 'dpop_binding_mismatch');
  });

  it('an issuer of its own that names the key (cnf.jkt) but says Bearer or nothing: the API refuses the token', async () => {
    for (const tokenType of ['Bearer', undefined]) {
      const other = await listen(
        createServer((_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              active: true,
              sub: 'u-alice',
              aud: API_RESOURCE,
              token_type: tokenType,
              cnf: { jkt: 'x'.repeat(43) },
            }),
          );
        }),
      );
      const scheme = introspectionScheme({
        endpoint: `${other.url}/introspect`,
        clientId: 'api',
        clientSecret: API_SECRET,
        audience: API_RESOURCE,
      });
      const handler = protect(createGuard({ schemes: [scheme] }), (_req, res) => res.end('in'));
      const guarded = await listen(createServer((req, res) => void handler(req, res)));
      try {
        const response = await fetch(guarded.url, { headers: { authorization: 'Bearer opaque-stolen-token' } });
        assert.equal(response.status, 401, `token_type ${tokenType}: a key-bound token opened the API as Bearer`);
        assert.equal((await response.json()).code, 'dpop_binding_mismatch');
      } finally {
        await guarded.close();
        await other.close();
      }
    }
  });
});
