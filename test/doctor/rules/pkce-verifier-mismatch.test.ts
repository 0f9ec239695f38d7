/**
 * A newcomer pastes one failing token request (a curl line, no HAR file): a real code from
 * Gatehouse's own authorization server (the playground), redeemed with a well-formed verifier
 * that is not the one whose S256 hash went as code_challenge. The server's answer says exactly
 * that (invalid_grant, "code_verifier does not match the code_challenge…"); the doctor should name
 * the cause too, rather than "no known cause fits" (exit 2).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode } from '../../../src/doctor/index.ts';
import { type Playground, startPlayground } from '../../../src/playground/serve.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { PLAYGROUND_REDIRECT_URI, playgroundCode } from '../../support/playground-code.ts';

let pg: Playground;
before(async () => {
  pg = await startPlayground();
});
after(() => pg.close());

describe('doctor: a code redeemed with the wrong code_verifier, given as one request', () => {
  it('names the verifier mismatch the server reported, and exits 1', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const wrong = randomBytes(32).toString('base64url');
    const code = await playgroundCode(pg.url, verifier);
    const data = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: 'playground-app',
      redirect_uri: PLAYGROUND_REDIRECT_URI,
      code_verifier: wrong,
    }).toString();
    const report = await diagnose({ url: `${pg.url}/oauth/token`, method: 'POST', data, timeoutMs: 3000 });
    assert.equal(report.status, 400);
    assertMasked(report, [code, verifier, wrong]);
    const first = report.findings[0];
    assert.ok(first, 'a cause is named (not "no known cause fits")');
    assert.equal(first.severity, 'error');
    assert.match(`${first.title} ${first.fix}`, /code_verifier/);
    assert.equal(exitCode(report), 1);
  });
});
