/**
 * Every finding, reproduced by a real loopback server; every rule with its own code and summary.
 * (docs/doctor-findings.md, written from them, is checked by test/architecture/docs-fresh.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { exitCode } from '../../../src/doctor/index.ts';
import { RULES } from '../../../src/doctor/rules/all.ts';
import { codes, doctorAt, refuse } from '../../support/doctor-runs.ts';
import { unsignedJwt } from '../../support/jwt.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const run = doctorAt(serve);
const jwt = unsignedJwt;
const now = () => Math.floor(Date.now() / 1000);

describe('doctor findings', () => {
  it('credentials_missing: nothing sent to an endpoint that challenges', async () => {
    const report = await run((_req, res) => refuse(res, 'Bearer realm="api"'));
    assert.equal(report.findings[0]?.code, 'credentials_missing');
    assert.match(report.findings[0]!.fix, /Bearer/);
    assert.equal(exitCode(report), 1);
  });

  it('auth_dropped_on_redirect: a redirect to another port loses Authorization', async () => {
    const target = await serve((req, res) =>
      req.headers.authorization ? json(res, 200, {}) : refuse(res, 'Bearer realm="api"'),
    );
    const report = await run(
      (_req, res) => {
        res.writeHead(302, { location: `${target.origin}/landing` });
        res.end();
      },
      { bearer: 'token-abcdefghijklmnop' },
    );
    assert.equal(report.findings[0]?.code, 'auth_dropped_on_redirect');
    assert.equal(report.findings[0]?.severity, 'error');
    assert.match(report.findings[0]!.title, /another port/);
  });

  it('scheme_mismatch: Basic sent where only Bearer is offered', async () => {
    const report = await run((_req, res) => refuse(res, 'Bearer realm="api"'), { basic: 'alice:secret-password' });
    assert.ok(codes(report).includes('scheme_mismatch'));
  });

  const formats: Array<[string, Array<[string, string]>]> = [
    ['a colon after the scheme', [['Authorization', 'Bearer:abcdef']]],
    ['the scheme twice', [['Authorization', 'Bearer Bearer abcdef']]],
    [
      'two Authorization fields',
      [
        ['Authorization', 'Bearer abc'],
        ['Authorization', 'Bearer def'],
      ],
    ],
  ];
  for (const [what, headers] of formats) {
    it(`scheme_format: ${what}`, async () => {
      const report = await run((_req, res) => refuse(res, 'Bearer realm="api"', 400), { headers });
      assert.equal(report.findings[0]?.code, 'scheme_format');
    });
  }

  it('scheme_format: a strict server that refuses "bearer" but takes "Bearer"', async () => {
    const report = await run(
      (req, res) =>
        req.headers.authorization?.startsWith('Bearer ') ? json(res, 200, {}) : refuse(res, 'Bearer realm="api"'),
      {
        headers: [['Authorization', 'bearer abcdef123456']],
      },
    );
    assert.equal(report.findings[0]?.code, 'scheme_format');
    assert.match(report.findings[0]!.title, /accepts "Bearer" but not "bearer"/);
  });

  it('credential_whitespace: a trailing newline, and quotes', async () => {
    const newline = await run((_req, res) => refuse(res, 'Bearer realm="api"'), {
      headers: [['Authorization', 'Bearer abcdefghijklmnop\n']],
    });
    assert.equal(newline.findings[0]?.code, 'credential_whitespace');
    assert.match(newline.findings[0]!.title, /line break/);
    const quoted = await run((_req, res) => refuse(res, 'Bearer realm="api"', 400), {
      headers: [['Authorization', 'Bearer "abcdefghijklmnop"']],
    });
    assert.equal(quoted.findings[0]?.code, 'credential_whitespace');
  });

  it("token_expired: judged against the server's Date, not the local clock", async () => {
    const serverNow = Date.now() - 3_600_000; // the server is an hour behind
    const token = jwt({ alg: 'HS256' }, { sub: 'u', exp: Math.floor(serverNow / 1000) - 30 });
    const report = await run(
      (_req, res) => refuse(res, 'Bearer error="invalid_token"', 401, {}, { date: new Date(serverNow).toUTCString() }),
      { bearer: token },
    );
    assert.equal(report.findings[0]?.code, 'token_expired');
    assert.ok(codes(report).includes('clock_skew'));
  });

  it('token_not_yet_valid: nbf ahead of the server clock', async () => {
    const token = jwt({ alg: 'HS256' }, { sub: 'u', nbf: now() + 600, exp: now() + 3600 });
    const report = await run((_req, res) => refuse(res, 'Bearer error="invalid_token"'), { bearer: token });
    assert.equal(report.findings[0]?.code, 'token_not_yet_valid');
  });

  it('clock_skew: the server Date is ten minutes off', async () => {
    const report = await run((_req, res) => json(res, 200, {}, { date: new Date(Date.now() + 600_000).toUTCString() }));
    assert.deepStrictEqual(codes(report), ['clock_skew']);
    assert.equal(exitCode(report), 0, 'a warning on a working call is still a success');
  });

  it('audience_mismatch: the server says the audience is wrong', async () => {
    const report = await run(
      (_req, res) => refuse(res, 'Bearer error="invalid_token", error_description="The token audience is wrong"'),
      {
        bearer: jwt({ alg: 'HS256' }, { sub: 'u', aud: 'https://other.api', exp: now() + 600 }),
      },
    );
    assert.equal(report.findings[0]?.code, 'audience_mismatch');
    assert.ok(report.findings[0]!.evidence.some((line) => line.includes('https://other.api')));
  });

  it("issuer_mismatch: the issuer's metadata names another issuer; kid_not_in_jwks and alg_not_allowed from its JWKS", async () => {
    const issuer = await serve((req, res) => {
      if (req.url === '/.well-known/oauth-authorization-server')
        return json(res, 200, {
          issuer: 'https://the-real-issuer.example',
          jwks_uri: `http://${req.headers.host}/jwks`,
        });
      if (req.url === '/jwks')
        return json(res, 200, { keys: [{ kty: 'EC', crv: 'P-256', kid: 'current', alg: 'ES256', x: 'x', y: 'y' }] });
      json(res, 404, {});
    });
    const token = jwt({ alg: 'HS256', kid: 'retired' }, { sub: 'u', iss: issuer.origin, exp: now() + 600 });
    const report = await run((_req, res) => refuse(res, 'Bearer error="invalid_token"'), { bearer: token });
    for (const code of ['issuer_mismatch', 'kid_not_in_jwks', 'alg_not_allowed'])
      assert.ok(codes(report).includes(code), code);
    assert.ok(report.exchanges.some((e) => e.probe === 'jwks'));
  });

  it('alg_not_allowed: an unsigned token', async () => {
    const report = await run((_req, res) => refuse(res, 'Bearer error="invalid_token"'), {
      bearer: unsignedJwt({ alg: 'none' }, { sub: 'u' }, ''),
    });
    assert.equal(report.findings[0]?.code, 'alg_not_allowed');
  });

  it('basic_non_ascii: non-ASCII Basic credentials, no charset offered', async () => {
    const report = await run((_req, res) => refuse(res, 'Basic realm="api"'), { basic: 'jürgen:pässwort' });
    assert.ok(codes(report).includes('basic_non_ascii'));
    const fine = await run((_req, res) => refuse(res, 'Basic realm="api", charset="UTF-8"'), {
      basic: 'jürgen:pässwort',
    });
    assert.ok(!codes(fine).includes('basic_non_ascii'));
  });

  it('basic_encoding: base64 twice, and percent-encoding', async () => {
    const twice = Buffer.from(Buffer.from('alice:password').toString('base64')).toString('base64');
    const report = await run((_req, res) => refuse(res, 'Basic realm="api"'), {
      headers: [['Authorization', `Basic ${twice}`]],
    });
    assert.equal(report.findings[0]?.code, 'basic_encoding');
    const percent = await run((_req, res) => refuse(res, 'Basic realm="api"'), { basic: 'alice:p%40ssword' });
    assert.ok(codes(percent).includes('basic_encoding'));
  });

  it('challenge_missing: 401 without WWW-Authenticate', async () => {
    const report = await run((_req, res) => refuse(res), { bearer: 'token-abcdefghijklmnop' });
    assert.ok(codes(report).includes('challenge_missing'));
  });

  it('forbidden_instead_of_401: 403 for a request without credentials', async () => {
    const report = await run((_req, res) =>
      json(res, 403, { detail: 'Authentication credentials were not provided.' }),
    );
    assert.equal(report.findings[0]?.code, 'forbidden_instead_of_401');
  });

  it('unauthorized_instead_of_403: 401 for a missing scope', async () => {
    const report = await run((_req, res) => refuse(res, 'Bearer error="insufficient_scope", scope="admin"'), {
      bearer: 'token-abcdefghijklmnop',
    });
    assert.ok(codes(report).includes('unauthorized_instead_of_403'));
  });

  it('preflight_unauthorized: the CORS preflight gets 401', async () => {
    const report = await run(
      (req, res) => (req.method === 'OPTIONS' ? refuse(res, 'Bearer realm="api"') : json(res, 200, {})),
      { bearer: 'token-abcdefghijklmnop', origin: 'https://app.example' },
    );
    assert.deepStrictEqual(codes(report), ['preflight_unauthorized']);
    assert.equal(report.outcome, 'success');
  });

  it('insufficient_scope: 403 with the scope needed', async () => {
    const report = await run((_req, res) => refuse(res, 'Bearer error="insufficient_scope", scope="admin"', 403), {
      bearer: jwt({ alg: 'HS256' }, { sub: 'u', scope: 'read', exp: now() + 600 }),
    });
    assert.equal(report.findings[0]?.code, 'insufficient_scope');
    assert.match(report.findings[0]!.title, /"admin"/);
  });

  it('rate_limited: 429 with Retry-After', async () => {
    const report = await run((_req, res) => json(res, 429, {}, { 'retry-after': '30' }));
    assert.equal(report.findings[0]?.code, 'rate_limited');
    assert.match(report.findings[0]!.title, /wait 30 s/);
  });

  it('locked_out: 429 with the locked_out reason', async () => {
    const report = await run((_req, res) =>
      json(
        res,
        429,
        { type: 'https://gatehouse.dev/reasons/locked_out', code: 'locked_out', status: 429 },
        { 'retry-after': '600' },
      ),
    );
    assert.equal(report.findings[0]?.code, 'locked_out');
  });

  it('digest_stale_nonce: stale=true is not a wrong password', async () => {
    const report = await run((_req, res) => refuse(res, 'Digest realm="r", nonce="n2", stale=true'), {
      headers: [['Authorization', 'Digest username="u", realm="r", nonce="n1", uri="/resource", response="abc"']],
    });
    assert.ok(codes(report).includes('digest_stale_nonce'));
  });

  it('server_reason: a problem+json code from the catalogue, explained', async () => {
    const report = await run(
      (_req, res) => {
        res.writeHead(401, {
          'content-type': 'application/problem+json',
          'www-authenticate': 'Bearer error="invalid_token"',
        });
        res.end(
          JSON.stringify({
            type: 'https://gatehouse.dev/reasons/credentials_invalid',
            code: 'credentials_invalid',
            status: 401,
            title: 'Invalid credentials',
          }),
        );
      },
      { bearer: 'token-abcdefghijklmnop' },
    );
    // (A token_revoked code has a rule of its own since issue 15 point 1: see refusal.test.ts.)
    assert.equal(report.findings[0]?.code, 'server_reason');
    assert.match(report.findings[0]!.fix, /Check the username and password, API key or token/);
  });
});

it('every rule has its own code and a summary, and the README links the list', () => {
  const codes = RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length, 'a code is used by two rules');
  for (const rule of RULES) {
    assert.match(rule.code, /^[a-z0-9_]+$/);
    assert.ok(rule.summary.length > 20 && rule.summary.endsWith('.'), `${rule.code}: a one-sentence summary`);
  }
  assert.match(readFileSync(new URL('../../../README.md', import.meta.url), 'utf8'), /\(docs\/doctor-findings\.md\)/);
});
