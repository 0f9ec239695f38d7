/**
 * A newcomer pastes one failing token request (a curl line, no HAR file): a real code from
 * Gatehouse's own authorization server (the playground), redeemed with a well-formed verifier
 * that is not the one whose S256 hash went as code_challenge. The server's answer says exactly
 * that (invalid_grant, "code_verifier does not match the code_challenge…"); the doctor should name
 * the cause too, rather than "no known cause fits" (exit 2).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode } from '../../../src/doctor/index.ts';
import { type Playground, startPlayground } from '../../../src/playground/serve.ts';
import { assertMasked } from '../../support/doctor-masking.ts';

const REDIRECT_URI = 'http://127.0.0.1:5555/callback';

let pg: Playground;
before(async () => {
  pg = await startPlayground();
});
after(() => pg.close());

/** Alice signs in at the built-in form and allows playground-app; the code from the redirect back. */
async function codeFor(verifier: string): Promise<string> {
  const form = new URLSearchParams({
    response_type: 'code',
    client_id: 'playground-app',
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    state: 'state-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    username: 'alice',
    password: 'alice-password',
    decision: 'allow',
  });
  const answer = await fetch(`${pg.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(answer.headers.get('location') ?? '').searchParams.get('code');
  assert.ok(code, `a code in the redirect back (status ${answer.status})`);
  return code;
}

describe('doctor: a code redeemed with the wrong code_verifier, given as one request', () => {
  it('names the verifier mismatch the server reported, and exits 1', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const wrong = randomBytes(32).toString('base64url');
    const code = await codeFor(verifier);
    const data = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: 'playground-app',
      redirect_uri: REDIRECT_URI,
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
