/**
 * Credentials rejected (issue 15 point 1): the server read them and refused them, named for what
 * was refused (a Basic pair, a JWT, anything else), with the signature checked by the doctor itself.
 * Loopback servers answer as the frameworks they are modelled on do (the bodies are FastAPI's and
 * DRF's own; test/interop/doctor-rejected.test.ts runs the real ones).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { diagnose, exitCode, keysFromOption } from '../../../src/doctor/index.ts';
import { hint } from '../../../src/doctor/readings/fixes.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes, doctorAt } from '../../support/doctor-runs.ts';
import { detail, drfBasicLike, fastApiLike, SERVER_KEY, sign } from '../../support/framework-likes.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const run = doctorAt(serve, '/me');
const OTHER_KEY = 'a-key-from-another-environment-9876543210';

describe('credentials rejected', () => {
  it('basic_credentials_rejected: both bodies quoted, the username shown, the password never', async () => {
    const password = 'not-wonderland';
    const report = await run(drfBasicLike, { basic: `alice:${password}` });
    const finding = report.findings[0];
    assert.equal(finding?.code, 'basic_credentials_rejected', JSON.stringify(codes(report)));
    assert.equal(finding.severity, 'error');
    assert.match(finding.title, /user "alice"/);
    const evidence = finding.evidence.join('\n');
    assert.match(evidence, /username "alice"; password ASCII(?!.*characters)/);
    assert.match(evidence, /< \{"detail":"Invalid username\/password\."\}/);
    assert.match(
      evidence,
      /\(without-credentials\)\n< HTTP 401.*\n< WWW-Authenticate: Basic realm="api"\n< \{"detail":"Authentication credentials were not provided\."\}/,
    );
    assert.match(finding.fix, /Check the username and password/);
    assert.equal(finding.tried, undefined, 'no other password to try');
    assert.ok(!report.exchanges.some((e) => e.probe === 'fix'));
    assert.equal(exitCode(report), 1);
    assertMasked(report, password, `alice:${password}`);
  });

  it('basic_credentials_rejected: a trailing space and non-ASCII in the password are pointed out', async () => {
    const spaced = await run(drfBasicLike, { basic: 'alice:wonderland ' });
    assert.equal(spaced.findings[0]?.code, 'basic_credentials_rejected');
    assert.match(spaced.findings[0]!.evidence[0]!, /password ASCII, leading or trailing whitespace/);
    assert.match(spaced.findings[0]!.fix, /starts or ends with whitespace/);
    const accented = await run(drfBasicLike, { basic: 'alice:wönderland' });
    assert.ok(codes(accented).includes('basic_credentials_rejected'));
    assert.match(accented.findings.find((f) => f.code === 'basic_credentials_rejected')!.fix, /non-ASCII/);
    assertMasked(accented, 'wönderland');
  });

  it('token_rejected: a JWT in date, in the right scheme, read and refused', async () => {
    const token = await sign(OTHER_KEY);
    const report = await run(fastApiLike, { bearer: token });
    assert.deepEqual(codes(report), ['token_rejected']);
    const evidence = report.findings[0]!.evidence.join('\n');
    assert.match(evidence, /token alg = "HS256", exp = .* \(in date\)/);
    assert.match(evidence, /signature not checked here/);
    assert.match(evidence, /< \{"detail":"Could not validate credentials"\}/);
    assert.match(evidence, /< \{"detail":"Not authenticated"\}/);
    assert.match(report.findings[0]!.fix, /signed with another key/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, token, token.split('.')[2]!);
  });

  it("token_signature_invalid: with the server's real key given, the signature is shown not to verify", async () => {
    const token = await sign(OTHER_KEY);
    const report = await run(fastApiLike, { bearer: token, keys: { keys: keysFromOption(SERVER_KEY), from: '--key' } });
    assert.equal(report.findings[0]?.code, 'token_signature_invalid', JSON.stringify(codes(report)));
    assert.ok(!codes(report).includes('token_rejected'), 'one finding for one cause');
    assert.equal(report.findings[0]!.severity, 'error');
    assert.match(report.findings[0]!.title, /does not verify with the key given/);
    assert.match(
      report.findings[0]!.evidence.join('\n'),
      /checked here with the key given: signature_invalid: the signature does not verify/,
    );
    assert.equal(report.findings[0]!.tried, undefined, 'the verification is the proof: nothing re-sent');
    assert.equal(exitCode(report), 1);
    assertMasked(report, token, SERVER_KEY);
  });

  it('token_rejected: the signature verifies with the key given, so the cause is elsewhere', async () => {
    const token = await sign(SERVER_KEY, { sub: 'mallory' }); // signed right, a user the server does not know
    const report = await run(fastApiLike, { bearer: token, keys: { keys: keysFromOption(SERVER_KEY), from: '--key' } });
    assert.deepEqual(codes(report), ['token_rejected']);
    assert.match(report.findings[0]!.title, /verifies with the key given/);
    assert.match(report.findings[0]!.evidence.join('\n'), /checked here: the signature verifies \(HS256, --key\)/);
  });

  it('token_signature_invalid: a 200 with the key given failing is a warning about the key, exit 0', async () => {
    const token = await sign(SERVER_KEY);
    const report = await run(fastApiLike, { bearer: token, keys: { keys: keysFromOption(OTHER_KEY), from: '--key' } });
    assert.deepEqual(codes(report), ['token_signature_invalid']);
    assert.equal(report.findings[0]!.severity, 'warning');
    assert.match(report.findings[0]!.fix, /the key given is not the one it verifies with/);
    assert.equal(exitCode(report), 0);
  });

  it('token_signature_invalid: an algorithm the key given cannot serve, and a kid it lacks', async () => {
    const rsa = await generateKeyPair('RS256');
    const rsaJwk = JSON.stringify({ ...(await exportJWK(rsa.publicKey)), kid: 'k1' });
    const hs = await sign(OTHER_KEY);
    const mismatch = await run(fastApiLike, { bearer: hs, keys: { keys: keysFromOption(rsaJwk), from: '--key' } });
    assert.equal(mismatch.findings[0]?.code, 'token_signature_invalid');
    assert.match(
      mismatch.findings[0]!.evidence.join('\n'),
      /alg_mismatch: the token says HS256, which needs an HMAC secret/,
    );
    const rs = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k2' })
      .setExpirationTime('10m')
      .sign(rsa.privateKey);
    const set = JSON.stringify({ keys: [JSON.parse(rsaJwk)] });
    const kid = await run(fastApiLike, { bearer: rs, keys: { keys: keysFromOption(set), from: '--key' } });
    assert.equal(kid.findings[0]?.code, 'token_signature_invalid');
    assert.match(kid.findings[0]!.title, /kid is not among the keys given/);
  });

  it("token_signature_invalid: no key in the issuer's own JWKS verifies the token", async () => {
    const real = await generateKeyPair('ES256');
    const forger = await generateKeyPair('ES256');
    const issuer = await serve(async (req, res) => {
      if (req.url === '/.well-known/oauth-authorization-server')
        return json(res, 200, { issuer: `http://${req.headers.host}`, jwks_uri: `http://${req.headers.host}/jwks` });
      if (req.url === '/jwks')
        return json(res, 200, { keys: [{ ...(await exportJWK(real.publicKey)), kid: 'k1', alg: 'ES256' }] });
      json(res, 404, {});
    });
    const token = await new SignJWT({ sub: 'alice', iss: issuer.origin })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setExpirationTime('10m')
      .sign(forger.privateKey);
    const report = await run(
      (req, res) =>
        req.headers.authorization
          ? json(res, 401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' })
          : json(res, 401, {}, { 'www-authenticate': 'Bearer' }),
      { bearer: token },
    );
    assert.equal(report.findings[0]?.code, 'token_signature_invalid', JSON.stringify(codes(report)));
    assert.match(report.findings[0]!.title, /No key the token's issuer publishes verifies its signature/);
    assert.match(
      report.findings[0]!.evidence.join('\n'),
      /checked here with the issuer's published keys: signature_invalid/,
    );
    assert.ok(!codes(report).includes('kid_not_in_jwks'));
  });

  it("audience_mismatch and issuer_mismatch from the API's resource metadata (RFC 9728), not token_rejected", async () => {
    const api = await serve((req, res) => {
      const origin = `http://${req.headers.host}`;
      if (req.url === '/.well-known/oauth-protected-resource')
        return json(res, 200, { resource: `${origin}/`, authorization_servers: ['https://login.example'] });
      if (!req.headers.authorization) return json(res, 401, {}, { 'www-authenticate': 'Bearer' });
      json(
        res,
        401,
        { detail: 'Could not validate credentials' },
        {
          'www-authenticate': `Bearer error="invalid_token", resource_metadata="${origin}/.well-known/oauth-protected-resource"`,
        },
      );
    });
    const token = await sign(SERVER_KEY, { aud: 'https://another-api.example/', iss: `${api.origin}/not-an-issuer` });
    const report = await diagnose({ url: `${api.origin}/me`, bearer: token, timeoutMs: 3000 });
    assert.ok(report.exchanges.some((e) => e.probe === 'resource-metadata'));
    assert.deepEqual(codes(report), ['audience_mismatch', 'issuer_mismatch']);
    const [audience, issuer] = report.findings;
    assert.match(audience!.evidence.join('\n'), /resource = "http:\/\/127\.0\.0\.1:\d+\/"/);
    // The catalogue's hint for the cause, then what the doctor read: the token's aud, the API's resource.
    assert.ok(audience!.fix.startsWith(hint('token_audience_mismatch')), audience!.fix);
    assert.match(
      audience!.fix,
      /The token's aud is "https:\/\/another-api\.example\/"\. The aud to ask for is "http:\/\/127\.0\.0\.1:\d+\/"/,
    );
    assert.match(issuer!.evidence.join('\n'), /authorization_servers = \["https:\/\/login\.example"\]/);
    assert.ok(issuer!.fix.startsWith(hint('token_issuer_mismatch')), issuer!.fix);
    assert.match(
      issuer!.fix,
      /The API lists "https:\/\/login\.example"; the token's iss is "http:\/\/127\.0\.0\.1:\d+\/not-an-issuer"/,
    );
  });

  it('token_revoked: a problem code, and an error_description', async () => {
    const problem = await run(
      (_req, res) => {
        res.writeHead(401, {
          'content-type': 'application/problem+json',
          'www-authenticate': 'Bearer error="invalid_token"',
        });
        res.end(
          JSON.stringify({ type: 'https://gatehouse.dev/reasons/token_revoked', code: 'token_revoked', status: 401 }),
        );
      },
      { bearer: 'token-abcdefghijklmnop' },
    );
    assert.deepEqual(codes(problem), ['token_revoked']);
    assert.match(problem.findings[0]!.fix, /revoked: sign in again/);
    const described = await run(
      (req, res) =>
        req.headers.authorization
          ? json(
              res,
              401,
              {},
              { 'www-authenticate': 'Bearer error="invalid_token", error_description="Token has been revoked"' },
            )
          : json(res, 401, {}, { 'www-authenticate': 'Bearer' }),
      { bearer: await sign(SERVER_KEY) },
    );
    assert.equal(described.findings[0]?.code, 'token_revoked');
    assert.ok(!codes(described).includes('token_rejected'));
  });

  it("credentials_rejected: an opaque token in DRF's Token scheme, fixed in that scheme", async () => {
    const report = await run(
      (req, res) =>
        req.headers.authorization
          ? detail(res, 401, 'Invalid token.', { 'www-authenticate': 'Token' })
          : detail(res, 401, 'Authentication credentials were not provided.', { 'www-authenticate': 'Token' }),
      { headers: [['Authorization', 'Token 0123456789abcdef0123456789abcdef01234567']] },
    );
    assert.deepEqual(codes(report), ['credentials_rejected']);
    assert.match(report.findings[0]!.title, /read the Token credential and refused it/);
    assert.match(
      report.findings[0]!.fix,
      /Check the username and password, API key or token.*Authorization: Token TOKEN/,
    );
    assertMasked(report, '0123456789abcdef0123456789abcdef01234567');
  });

  it('credentials_rejected: an API key refused with 403, told apart from a missing one by the body', async () => {
    const key = 'wrong-api-key-1234567890';
    const report = await run(
      (req, res) =>
        req.headers['x-api-key']
          ? detail(res, 403, 'Could not validate credentials')
          : detail(res, 403, 'Not authenticated'),
      { headers: [['X-API-Key', key]] },
    );
    assert.equal(report.findings[0]?.code, 'credentials_rejected');
    assert.match(report.findings[0]!.title, /X-API-Key header/);
    assertMasked(report, key);
  });

  it('not a rejection: a permission (401 without, 403 with), a missing scope, a CSRF failure', async () => {
    const permission = await run(
      (req, res) =>
        req.headers.authorization
          ? detail(res, 403, 'You do not have permission to perform this action.')
          : detail(res, 401, 'Authentication credentials were not provided.', { 'www-authenticate': 'Token' }),
      { headers: [['Authorization', 'Token 0123456789abcdef']] },
    );
    const scope = await run(
      (req, res) =>
        req.headers.authorization
          ? detail(res, 401, 'Not enough permissions', { 'www-authenticate': 'Bearer scope="items me"' })
          : detail(res, 401, 'Not authenticated', { 'www-authenticate': 'Bearer' }),
      { bearer: await sign(SERVER_KEY, { scopes: ['me'] }) },
    );
    const csrf = await run(
      (req, res) =>
        req.headers.cookie
          ? detail(res, 403, 'CSRF Failed: CSRF token missing or incorrect.')
          : detail(res, 403, 'Authentication credentials were not provided.'),
      { method: 'POST', headers: [['Cookie', 'sessionid=abcdefgh12345678; csrftoken=zyxwvuts98765432']] },
    );
    for (const report of [permission, scope, csrf]) {
      const family = codes(report).filter((c) => /rejected|not_received|signature/.test(c));
      assert.deepEqual(family, [], JSON.stringify(codes(report)));
    }
  });
});
