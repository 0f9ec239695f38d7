/** A refused code redemption given as a request (a pasted curl line): the cause read from the form sent, no secret in the report. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../../src/doctor/index.ts';
import { type CodeRedemption, serverSays } from '../../../src/doctor/readings/code-redemption.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import {
  authorizationServer,
  authorize,
  CLIENT_ID,
  CLIENT_SECRET,
  newVerifier,
  REDIRECT_URI,
  s256,
} from '../../support/doctor-oauth-flow.ts';
import { codes, finding } from '../../support/doctor-runs.ts';
import { serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();

async function redeemed(form: (code: string, verifier: string) => Record<string, string>) {
  const as = await authorizationServer(serve);
  const verifier = newVerifier();
  const { code } = await authorize(as.origin, { code_challenge: s256(verifier), code_challenge_method: 'S256' });
  const data = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    ...form(code, verifier),
  }).toString();
  const report = await diagnose({ url: `${as.origin}/token`, method: 'POST', data, timeoutMs: 3000 });
  assertMasked(report, [code, verifier, CLIENT_SECRET]);
  return report;
}

describe('a token request refused at the token endpoint', () => {
  it('pkce_verifier_missing: the form has no code_verifier', async () => {
    const report = await redeemed((code) => ({ code, redirect_uri: REDIRECT_URI }));
    assert.equal(report.status, 400);
    assert.equal(report.findings[0]?.code, 'pkce_verifier_missing');
    assert.ok(report.findings[0]!.evidence.includes('< error = "invalid_request" (RFC 6749 §5.2)'));
  });

  it('pkce_verifier_malformed: 42 characters, one short of RFC 7636 §4.1', async () => {
    const report = await redeemed((code, verifier) => ({
      code,
      code_verifier: verifier.slice(0, 42),
      redirect_uri: REDIRECT_URI,
    }));
    const found = finding(report, 'pkce_verifier_malformed');
    assert.ok(found.evidence.includes('  code_verifier: 42 characters (RFC 7636 §4.1: 43 to 128)'));
  });

  it('redirect_uri_mismatch (a warning): no redirect_uri sent, and no authorization request to compare', async () => {
    const report = await redeemed((code, verifier) => ({ code, code_verifier: verifier }));
    const found = finding(report, 'redirect_uri_mismatch');
    assert.equal(found.severity, 'warning');
    assert.equal(found.title, 'The token request sent no redirect_uri');
  });

  it('a correct redemption: 200, none of these findings', async () => {
    const report = await redeemed((code, verifier) => ({ code, code_verifier: verifier, redirect_uri: REDIRECT_URI }));
    assert.equal(report.outcome, 'success');
    assert.deepEqual(
      codes(report).filter((c) => /pkce|redirect_uri|code_reused/.test(c)),
      [],
    );
  });
});

describe('serverSays: an invalid_grant description read for its cause', () => {
  const said = (description: string, error: CodeRedemption['error'] = 'invalid_grant') => {
    const redemption: CodeRedemption = { form: new URLSearchParams(), error, description };
    return [serverSays(redemption, 'code_verifier'), serverSays(redemption, 'redirect_uri')];
  };
  const table: Array<[string, string, boolean[]]> = [
    [
      'Gatehouse',
      'code_verifier does not match the code_challenge of the authorization request (RFC 7636 §4.6).',
      [true, false],
    ],
    [
      'Gatehouse',
      'redirect_uri must be the one of the authorization request, exactly (RFC 6749 §4.1.3).',
      [false, true],
    ],
    ['Keycloak', 'PKCE verification failed: Invalid code verifier', [true, false]],
    ['Keycloak', 'Incorrect redirect_uri', [false, true]],
    ['Okta', 'PKCE verification failed.', [true, false]],
    ['Hydra', 'The PKCE code challenge did not match the code verifier.', [true, false]],
    ['Hydra', 'The "redirect_uri" from this request does not match the one from the authorize request.', [false, true]],
    [
      'Entra ID',
      'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      [true, false],
    ],
    ['oidc-provider (its cause stays in its logs)', 'grant request is invalid', [false, false]],
    ['Keycloak, missing', 'PKCE code verifier not specified', [false, false]],
    [
      'an expired code',
      'The authorization code is unknown, expired or already used; start the authorization again.',
      [false, false],
    ],
  ];
  for (const [server, description, expected] of table)
    it(`${server}: ${JSON.stringify(description)}`, () => assert.deepEqual(said(description), expected));

  it('reads only invalid_grant (RFC 6749 §5.2): invalid_request names a malformed request, not a mismatch', () => {
    assert.deepEqual(said('code_verifier does not match', 'invalid_request'), [false, false]);
  });
});
