/**
 * A token endpoint's refusal of a code redemption, diagnosed from a HAR file of a real flow against
 * a loopback authorization server: the cause named from the flow, and no code, verifier or client
 * secret in the report in any encoding.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseHar, type Report } from '../../src/doctor/index.ts';
import { assertMasked } from '../support/doctor-masking.ts';
import {
  authorizationServer,
  authorize,
  CLIENT_SECRET,
  harFile,
  newVerifier,
  REDIRECT_URI,
  redeem,
  s256,
} from '../support/doctor-oauth-flow.ts';
import { codes, finding } from '../support/doctor-runs.ts';
import { serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const REDEMPTION_CODES = [
  'code_reused',
  'pkce_method_not_s256',
  'pkce_verifier_missing',
  'pkce_verifier_malformed',
  'pkce_verifier_mismatch',
  'redirect_uri_mismatch',
];

/** The one report a HAR yields, checked to carry none of the flow's secrets. */
async function only(entries: unknown[], secrets: string[]): Promise<Report> {
  const reports = await diagnoseHar(harFile(entries));
  assert.equal(reports.length, 1, 'the refused redemption is diagnosed, and only it');
  assertMasked(reports[0]!, [...secrets, CLIENT_SECRET]);
  return reports[0]!;
}

describe('doctor --har: refused code redemptions', () => {
  it('a correct flow: the redemption answered 200, nothing to diagnose', async () => {
    const as = await authorizationServer(serve);
    const verifier = newVerifier();
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const token = await redeem(as.origin, { code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
    assert.equal(token.response.status, 200);
    assert.deepEqual(await diagnoseHar(harFile([entry, token])), []);
  });

  it('a correct request refused for a cause it does not show (an expired code): none of these findings', async () => {
    const as = await authorizationServer(serve, { expired: true });
    const verifier = newVerifier();
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const token = await redeem(as.origin, { code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
    const report = await only([entry, token], [code, verifier]);
    assert.equal(report.status, 400);
    assert.deepEqual(
      codes(report).filter((c) => REDEMPTION_CODES.includes(c)),
      [],
    );
  });

  it('code_reused: the second token request with the same code, naming the first', async () => {
    const as = await authorizationServer(serve);
    const verifier = newVerifier();
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const form = { code, code_verifier: verifier, redirect_uri: REDIRECT_URI };
    const first = await redeem(as.origin, form);
    const second = await redeem(as.origin, form);
    assert.equal(first.response.status, 200);
    const report = await only([entry, first, second], [code, verifier]);
    assert.equal(report.findings[0]?.code, 'code_reused');
    const found = finding(report, 'code_reused');
    assert.ok(
      found.evidence.includes('  log.entries[1] redeemed the same code first (answered 200)'),
      found.evidence.join('\n'),
    );
    assert.match(found.fix, /RFC 6749 §4\.1\.2/);
  });

  it('pkce_verifier_missing: no code_verifier sent, the authorization request had a challenge', async () => {
    const as = await authorizationServer(serve);
    const verifier = newVerifier();
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const token = await redeem(as.origin, { code, redirect_uri: REDIRECT_URI });
    const report = await only([entry, token], [code, verifier]);
    assert.deepEqual(codes(report), ['pkce_verifier_missing']);
    const found = report.findings[0]!;
    assert.ok(found.evidence.includes('< error = "invalid_request" (RFC 6749 §5.2)'), found.evidence.join('\n'));
    assert.ok(found.evidence.some((l) => /sent: client_id, client_secret, code, redirect_uri$/.test(l)));
    assert.match(found.fix, /^Send code_verifier in the token request.*Send each required parameter once/);
  });

  it('pkce_verifier_malformed: a base64 verifier with padding, its length and characters told, not its value', async () => {
    const as = await authorizationServer(serve);
    const verifier = `${randomBase64()}`;
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const token = await redeem(as.origin, { code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
    const report = await only([entry, token], [code, verifier]);
    assert.deepEqual(codes(report), ['pkce_verifier_malformed']);
    const found = report.findings[0]!;
    assert.ok(found.evidence.includes(`  code_verifier: ${verifier.length} characters (RFC 7636 §4.1: 43 to 128)`));
    assert.ok(found.evidence.some((l) => l.includes("(only '+', '/' or '=': base64, not base64url)")));
  });

  it('pkce_verifier_mismatch: a verifier of another attempt', async () => {
    const as = await authorizationServer(serve);
    const verifier = newVerifier();
    const other = newVerifier();
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const token = await redeem(as.origin, { code, code_verifier: other, redirect_uri: REDIRECT_URI });
    const report = await only([entry, token], [code, verifier, other]);
    assert.deepEqual(codes(report), ['pkce_verifier_mismatch']);
    assert.ok(
      report.findings[0]!.evidence.includes('  authorization request: log.entries[0] GET ' + `${as.origin}/authorize`),
    );
  });

  it('redirect_uri_mismatch: the token request names another redirect_uri, both shown', async () => {
    const as = await authorizationServer(serve);
    const verifier = newVerifier();
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    const token = await redeem(as.origin, { code, code_verifier: verifier, redirect_uri: `${REDIRECT_URI}/` });
    const report = await only([entry, token], [code, verifier]);
    assert.deepEqual(codes(report), ['redirect_uri_mismatch']);
    const found = report.findings[0]!;
    assert.equal(found.severity, 'error');
    assert.ok(found.evidence.includes(`  token request redirect_uri = "${REDIRECT_URI}/"`));
    assert.ok(found.evidence.includes(`  authorization request redirect_uri = "${REDIRECT_URI}"`));
  });

  for (const [label, query, said] of [
    ['plain', { code_challenge_method: 'plain' }, 'code_challenge_method = "plain"'],
    ['no method (plain by default)', {}, 'no code_challenge_method'],
  ] as const) {
    it(`pkce_method_not_s256: the authorization request used ${label}`, async () => {
      const as = await authorizationServer(serve);
      const verifier = newVerifier();
      const { entry, code } = await authorize(as.origin, { code_challenge: verifier, ...query });
      const token = await redeem(as.origin, { code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
      const report = await only([entry, token], [code, verifier]);
      assert.deepEqual(codes(report), ['pkce_method_not_s256']);
      assert.ok(
        report.findings[0]!.evidence.some((l) => l.includes(said)),
        report.findings[0]!.evidence.join('\n'),
      );
      assert.match(report.findings[0]!.fix, /code_challenge_method=S256/);
    });
  }

  it('pkce_method_not_s256: no code_challenge at all (not told as a missing verifier)', async () => {
    const as = await authorizationServer(serve);
    const { entry, code } = await authorize(as.origin, {});
    const token = await redeem(as.origin, { code, redirect_uri: REDIRECT_URI });
    const report = await only([entry, token], [code]);
    assert.deepEqual(codes(report), ['pkce_method_not_s256']);
    assert.equal(report.findings[0]!.title, 'The authorization request sent no PKCE challenge');
  });

  it('replay never sends a code redemption again (a code is good once)', async () => {
    const as = await authorizationServer(serve);
    const { entry, code } = await authorize(as.origin, {
      code_challenge: s256(newVerifier()),
      code_challenge_method: 'S256',
    });
    const token = await redeem(as.origin, { code, redirect_uri: REDIRECT_URI });
    const before = as.received.length;
    const reports = await diagnoseHar(harFile([entry, token]), { replay: true });
    assert.equal(as.received.length, before, 'nothing sent');
    assert.deepEqual(codes(reports[0]!), ['pkce_verifier_missing']);
  });
});

/** A verifier as a careless client makes it: standard base64 of 33 bytes with '+' or '/' in it. */
function randomBase64(): string {
  for (;;) {
    const text = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    if (/[+/]/.test(text)) return text;
  }
}
