/** insufficient_scope: scope refusals in every common shape (RFC 6750's error, a bare scope=, on a 401 or a 403), and what the token was granted. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { exitCode } from '../../../src/doctor/index.ts';
import { hint } from '../../../src/doctor/readings/fixes.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes, doctorRecording } from '../../support/doctor-runs.ts';
import { unsignedJwt } from '../../support/jwt.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = (payload: Record<string, unknown>) => unsignedJwt({ alg: 'HS256', typ: 'JWT' }, payload);
const inTenMinutes = () => Math.floor(Date.now() / 1000) + 600;
const run = doctorRecording(serve);

/**
 * FastAPI's SecurityScopes tutorial: 401 with `Bearer scope="items me"`, no error=, for a token it
 * read that lacks a scope; 401 "Not authenticated" without a token.
 */
function scoped(status: 401 | 403, words = 'Not enough permissions') {
  return (req: IncomingMessage, res: ServerResponse) =>
    req.headers.authorization
      ? json(res, status, { detail: words }, { 'www-authenticate': 'Bearer scope="items me"' })
      : json(res, 401, { detail: 'Not authenticated' }, { 'www-authenticate': 'Bearer' });
}

describe('insufficient_scope: scopes in every common shape', () => {
  const shapes: Array<[string, Record<string, unknown>]> = [
    ['scope (a space-separated string)', { scope: 'me' }],
    ['scp (a string)', { scp: 'me' }],
    ['scp (an array)', { scp: ['me'] }],
    ['scopes (an array, as FastAPI)', { scopes: ['me'] }],
    ['permissions (Auth0)', { permissions: ['me'] }],
    ['roles', { roles: ['me'] }],
  ];
  for (const [shape, claims] of shapes) {
    it(`401 with scope= and no error=, granted in ${shape}: names "items" as missing`, async () => {
      const token = jwt({ sub: 'bob', ...claims, exp: inTenMinutes() });
      const { report } = await run(scoped(401), { bearer: token });
      const [first, ...rest] = report.findings;
      assert.equal(first?.code, 'insufficient_scope');
      assert.equal(first.title, 'The token lacks scope "items"');
      assert.match(first.fix, /The route needs "items", "me"; the token has "me"; missing "items"\./);
      assert.ok(first.fix.includes(hint('insufficient_scope')));
      const claim = Object.keys(claims)[0]!;
      assert.ok(first.evidence.includes(`  token ${claim} = ["me"]`), first.evidence.join('\n'));
      // RFC 6750 §3.1 says 403: a warning about the server, after the cause.
      assert.deepEqual(
        rest.map((f) => [f.code, f.severity]),
        [['unauthorized_instead_of_403', 'warning']],
      );
      assert.equal(exitCode(report), 1);
      assertMasked(report, [token, token.split('.')[2]!]);
    });
  }

  it('403 with scope= and no error=: insufficient_scope, neither permission_denied nor the 401 warning', async () => {
    const { report } = await run(scoped(403), { bearer: jwt({ sub: 'bob', scope: 'me', exp: inTenMinutes() }) });
    assert.deepEqual(codes(report), ['insufficient_scope']);
    assert.equal(report.findings[0]!.title, 'The token lacks scope "items"');
  });

  it('403 with error="insufficient_scope": the server\'s word, with what the token has', async () => {
    const { report } = await run(
      (req, res) =>
        req.headers.authorization
          ? json(res, 403, {}, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="admin write"' })
          : json(res, 401, {}, { 'www-authenticate': 'Bearer' }),
      { bearer: jwt({ sub: 'u', scp: ['write'], exp: inTenMinutes() }) },
    );
    assert.deepEqual(codes(report), ['insufficient_scope']);
    assert.equal(report.findings[0]!.title, 'The token lacks scope "admin"');
  });

  it('an opaque token: named from the words, saying the token cannot be read here', async () => {
    const { report } = await run(scoped(403, 'Insufficient scope for this resource'), {
      bearer: 'opaque-token-abcdefghijklmnop',
    });
    assert.equal(report.findings[0]?.code, 'insufficient_scope');
    assert.equal(report.findings[0]!.title, 'The token lacks scopes "items", "me"');
    assert.match(report.findings[0]!.fix, /the token cannot be read here/);
  });

  // FastAPI puts the same scope= on the 401 of a token it could not validate: that is no scope problem.
  const refusedTokens: Array<[string, string, string]> = [
    [
      '"Could not validate credentials" (a token signed with another key)',
      jwt({ sub: 'alice', scopes: ['me'], exp: inTenMinutes() }),
      'Could not validate credentials',
    ],
    [
      'a JWT that already has every needed scope',
      jwt({ sub: 'alice', scopes: ['me', 'items'], exp: inTenMinutes() }),
      'Forbidden',
    ],
    [
      'a value shaped like a JWT that does not decode',
      `${b64url('not a header')}.${b64url('not json')}.c2ln`,
      'Not enough permissions',
    ],
    [
      'an expired JWT',
      jwt({ sub: 'bob', scopes: ['me'], exp: Math.floor(Date.now() / 1000) - 60 }),
      'Not enough permissions',
    ],
  ];
  for (const [what, token, words] of refusedTokens) {
    it(`not for ${what}`, async () => {
      const { report } = await run(scoped(401, words), { bearer: token });
      assert.ok(!codes(report).includes('insufficient_scope'), codes(report).join(', '));
      assert.ok(!codes(report).includes('unauthorized_instead_of_403'), codes(report).join(', '));
    });
  }
});
