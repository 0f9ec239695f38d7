/** permission_denied: authenticated but not permitted (403 with credentials, 401 without), told apart from what is not a permission. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { exitCode } from '../../../src/doctor/index.ts';
import { hint } from '../../../src/doctor/readings/fixes.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes, doctorRecording, finding } from '../../support/doctor-runs.ts';
import { unsignedJwt } from '../../support/jwt.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = (payload: Record<string, unknown>) => unsignedJwt({ alg: 'HS256', typ: 'JWT' }, payload);
const inTenMinutes = () => Math.floor(Date.now() / 1000) + 600;
const run = doctorRecording(serve);

/** A server that answers 401 with a challenge when nothing is sent, else what `answer` says. */
const gated =
  (answer: (req: IncomingMessage, res: ServerResponse) => void, challenge = 'Basic realm="api"') =>
  (req: IncomingMessage, res: ServerResponse) =>
    req.headers.authorization || req.headers.cookie
      ? answer(req, res)
      : json(res, 401, { detail: 'Authentication credentials were not provided.' }, { 'www-authenticate': challenge });

describe('permission_denied: authenticated but not permitted', () => {
  it('Basic user: 403 with credentials, 401 without; names the account, both status lines and the detail', async () => {
    const { report } = await run(
      gated((_req, res) => json(res, 403, { detail: 'You do not have permission to perform this action.' })),
      { basic: 'bob:builder-password' },
    );
    const denied = report.findings[0]!;
    assert.equal(denied.code, 'permission_denied');
    assert.equal(denied.severity, 'error');
    assert.equal(denied.title, 'Authenticated as "bob", but not permitted');
    assert.ok(denied.evidence.includes('< HTTP 403 Forbidden'));
    assert.ok(denied.evidence.includes('< HTTP 401 Unauthorized'));
    assert.ok(denied.evidence.includes('< detail: "You do not have permission to perform this action."'));
    assert.ok(denied.evidence.includes('< detail: "Authentication credentials were not provided."'));
    assert.ok(denied.fix.endsWith(hint('forbidden')), 'the catalogue hint, after the facts');
    assert.match(denied.fix, /Basic user "bob"/);
    assert.equal(denied.tried, undefined, 'refreshing or resending cannot help: nothing is tried');
    assert.ok(!codes(report).includes('forbidden_instead_of_401'));
    assert.equal(exitCode(report), 1);
    assertMasked(report, [
      'builder-password',
      Buffer.from('bob:builder-password').toString('base64'),
      b64url('bob:builder-password'),
    ]);
  });

  it("JWT: the account is the token's sub, and its roles and permissions claims are quoted", async () => {
    const token = jwt({ sub: 'carol', roles: ['viewer'], permissions: ['read:reports'], exp: inTenMinutes() });
    const { report } = await run(
      gated((_req, res) => json(res, 403, { message: 'Forbidden' }), 'Bearer realm="api"'),
      { bearer: token },
    );
    const denied = finding(report, 'permission_denied');
    assert.equal(report.findings[0], denied);
    assert.equal(denied.title, 'Authenticated as "carol", but not permitted');
    assert.match(
      denied.fix,
      /The token's permissions claim: \["read:reports"\]\. The token's roles claim: \["viewer"\]\./,
    );
    assert.ok(denied.evidence.some((line) => /^< www-authenticate: Bearer realm="api"$/i.test(line)));
    assertMasked(report, [token, token.split('.')[2]!]);
  });

  it("DRF's session-first view: a 403 saying nothing was provided without credentials still tells it apart", async () => {
    const { report } = await run(
      (req, res) =>
        req.headers.cookie
          ? json(res, 403, { detail: 'You do not have permission to perform this action.' })
          : json(res, 403, { detail: 'Authentication credentials were not provided.' }),
      { headers: [['Cookie', 'sessionid=s3ss10n-abcdefghijklmnop']] },
    );
    assert.deepEqual(codes(report), ['permission_denied', 'forbidden_instead_of_401']);
    assert.equal(report.findings[0]!.title, 'Authenticated, but not permitted');
    assert.match(report.findings[0]!.fix, /the session cookie/);
    // About the server's design, and said so: the 403 it answers without credentials.
    const design = report.findings[1]!;
    assert.equal(design.severity, 'warning');
    assert.equal(design.title, 'Without credentials the server answers 403, not 401');
    assert.ok(design.evidence.includes('> (the same request without Cookie)'));
    assert.ok(!design.evidence.includes('> (no credentials)'));
    assertMasked(report, ['s3ss10n-abcdefghijklmnop']);
  });

  const notPermission: Array<[string, (req: IncomingMessage, res: ServerResponse) => void]> = [
    // Credentials that never arrived (a proxy dropped them) give the very same answer.
    ['the same 403 with and without credentials', (_req, res) => json(res, 403, { detail: 'Forbidden' })],
    // FastAPI's APIKeyHeader recipe: the key was read and refused, which is not a permission.
    [
      'a 403 whose words refuse the credentials',
      (req, res) =>
        req.headers['x-api-key']
          ? json(res, 403, { detail: 'Could not validate credentials' })
          : json(res, 403, { detail: 'Not authenticated' }),
    ],
    [
      'a 403 with error="invalid_token"',
      (req, res) =>
        req.headers['x-api-key']
          ? json(res, 403, {}, { 'www-authenticate': 'Bearer error="invalid_token"' })
          : json(res, 401, {}, { 'www-authenticate': 'Bearer' }),
    ],
  ];
  for (const [what, handler] of notPermission) {
    it(`not for ${what}`, async () => {
      const { report } = await run(handler, { headers: [['X-API-Key', 'key-abcdefghijklmnop']] });
      assert.ok(!codes(report).includes('permission_denied'), codes(report).join(', '));
    });
  }
});
