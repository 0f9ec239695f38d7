/**
 * Words are not evidence: Gatehouse's own introspection scheme refuses a token its issuer calls
 * inactive with problem code `credentials_invalid` and the detail "The access token is not active:
 * its issuer reports it unknown, expired or revoked." Here the token is valid and unrevoked, from
 * the very issuer the API uses; the issuer only declines to tell this API about it (no
 * introspectionPolicy lets this client see another client's tokens, RFC 7662 §4). The doctor must
 * not read "revoked" and "issuer" in that sentence as token_revoked and issuer_mismatch.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { protect } from '../../../src/adapters/node/index.ts';
import { diagnose } from '../../../src/doctor/index.ts';
import { createGuard, introspectionScheme } from '../../../src/server/index.ts';
import { codes } from '../../support/doctor-runs.ts';
import { API_RESOURCE, type Issuer, introspectionIssuer, SVC_SECRET } from '../../support/introspection-issuer.ts';
import { listen } from '../../support/server.ts';

let issuer: Issuer;
let api: Awaited<ReturnType<typeof listen>>;
before(async () => {
  issuer = await introspectionIssuer();
  // svc may introspect only its own tokens: every other client's token comes back {"active":false}.
  const scheme = introspectionScheme({
    endpoint: `${issuer.url}/oauth/introspect`,
    clientId: 'svc',
    clientSecret: SVC_SECRET,
    audience: API_RESOURCE,
  });
  const handler = protect(createGuard({ schemes: [scheme] }), (req, res) => res.end(req.auth.id));
  api = await listen(createServer((req, res) => void handler(req, res)));
});
after(async () => {
  await api.close();
  await issuer.close();
});

describe('doctor: a token its issuer will not describe to this API', () => {
  it('is not reported revoked, nor from an untrusted issuer', async () => {
    const alice = { id: 'u-alice', roles: [] };
    const { access_token } = await issuer.service.issue(alice, { clientId: 'web', scope: 'read', refresh: false });
    const raw = await fetch(api.url, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal(((await raw.json()) as { code: string }).code, 'credentials_invalid');

    const report = await diagnose({ url: api.url, bearer: access_token, timeoutMs: 3000 });
    assert.equal(report.status, 401);
    const found = codes(report);
    assert.ok(!found.includes('token_revoked'), `no token_revoked in ${found.join(', ')}`);
    assert.ok(!found.includes('issuer_mismatch'), `no issuer_mismatch in ${found.join(', ')}`);
  });
});
