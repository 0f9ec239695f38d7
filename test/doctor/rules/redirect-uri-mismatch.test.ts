/**
 * A pasted token request (no HAR file) that names another redirect_uri than its authorization
 * request did, against Gatehouse's own authorization server (the playground). The server says so
 * (invalid_grant, "redirect_uri must be the one of the authorization request, exactly"); the
 * doctor should name that cause too, rather than "no known cause fits" (exit 2).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode } from '../../../src/doctor/index.ts';
import { type Playground, startPlayground } from '../../../src/playground/serve.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes } from '../../support/doctor-runs.ts';
import { playgroundCode } from '../../support/playground-code.ts';

let pg: Playground;
before(async () => {
  pg = await startPlayground();
});
after(() => pg.close());

describe('doctor: a code redeemed with another redirect_uri, given as one request', () => {
  it('names redirect_uri_mismatch, as the server did, and exits 1', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await playgroundCode(pg.url, verifier);
    const data = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: 'playground-app',
      redirect_uri: 'http://127.0.0.1:5555/other',
      code_verifier: verifier,
    }).toString();
    const report = await diagnose({ url: `${pg.url}/oauth/token`, method: 'POST', data, timeoutMs: 3000 });
    assert.equal(report.status, 400);
    assertMasked(report, [code, verifier]);
    assert.equal(report.findings[0]?.code, 'redirect_uri_mismatch', `findings: ${codes(report).join(', ') || 'none'}`);
    assert.equal(exitCode(report), 1);
  });
});
