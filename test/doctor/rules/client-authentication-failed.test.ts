/**
 * A wrong client secret at Gatehouse's token endpoint: 401 `invalid_client` with a Basic challenge
 * (RFC 6749 §5.2). The Basic pair is a client id and secret (RFC 6749 §2.3.1), not a user's
 * username and password: the doctor says so, with the catalogue's fix, and never the secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode } from '../../../src/doctor/index.ts';
import { getOAuthError } from '../../../src/http/index.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes, finding } from '../../support/doctor-runs.ts';
import { basicClient, SVC_SECRET, type World, world } from '../../support/token-world.ts';

const WRONG = 'not-the-svc-secret-0123456789';
let as: World;
before(async () => {
  as = await world();
});
after(() => as.close());

const grant = 'grant_type=client_credentials&scope=read';

describe('doctor: a token request with the wrong client secret', () => {
  it('in HTTP Basic: client_authentication_failed, speaking of the client id and secret', async () => {
    const report = await diagnose({
      url: `${as.url}/oauth/token`,
      method: 'POST',
      headers: [
        ['content-type', 'application/x-www-form-urlencoded'],
        ['authorization', basicClient('svc', WRONG).authorization],
      ],
      data: grant,
      timeoutMs: 3000,
    });
    assert.equal(report.status, 401);
    assertMasked(report, [WRONG, SVC_SECRET]);
    assert.equal(report.findings[0]?.code, 'client_authentication_failed', `findings: ${codes(report).join(', ')}`);
    assert.ok(!codes(report).includes('basic_credentials_rejected'), `findings: ${codes(report).join(', ')}`);
    const found = finding(report, 'client_authentication_failed');
    assert.match(found.title, /client/);
    assert.match(found.title, /"svc"/);
    assert.doesNotMatch(`${found.title} ${found.fix}`, /username|password/i);
    assert.ok(found.fix.includes(getOAuthError('invalid_client')!.hint));
    assert.ok(found.evidence.includes('< error = "invalid_client" (RFC 6749 §5.2)'), found.evidence.join('\n'));
    assert.equal(exitCode(report), 1);
  });

  it('in the form (client_secret_post): the same finding, from a 400 (RFC 6749 §5.2: 401 only for the Authorization header)', async () => {
    const report = await diagnose({
      url: `${as.url}/oauth/token`,
      method: 'POST',
      data: `${grant}&client_id=svc&client_secret=${WRONG}`,
      timeoutMs: 3000,
    });
    assert.equal(report.status, 400);
    assertMasked(report, [WRONG]);
    assert.equal(report.findings[0]?.code, 'client_authentication_failed', `findings: ${codes(report).join(', ')}`);
  });

  it('the right secret: none of it', async () => {
    const report = await diagnose({
      url: `${as.url}/oauth/token`,
      method: 'POST',
      headers: [['authorization', basicClient('svc', SVC_SECRET).authorization]],
      data: grant,
      timeoutMs: 3000,
    });
    assert.equal(report.status, 200);
    assert.ok(!codes(report).includes('client_authentication_failed'));
  });
});
