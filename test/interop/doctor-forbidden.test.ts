/**
 * 403s told apart and scope refusals, against FastAPI 0.92 (its security tutorial) and Django REST
 * Framework as Debian ships them. Each test first checks what the real server answers, then what
 * the doctor makes of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode, type Report } from '../../src/doctor/index.ts';
import { hint } from '../../src/doctor/readings/fixes.ts';
import { assertMasked } from '../support/doctor-masking.ts';
import {
  answer,
  detail,
  drfLogin,
  fastApiToken,
  only,
  type RealServer,
  realServersMissing,
  signFastApiToken,
  startDrf,
  startFastApi,
  USERS,
} from '../support/real-servers.ts';

const skip = realServersMissing() ?? false;

const ask = async (url: string, init: RequestInit = {}) => only(await answer(url, init), 'status', 'challenge', 'body');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codes = (report: Report) => report.findings.map((f) => f.code);

describe('FastAPI 0.92: permissions and scopes', { skip }, () => {
  let app: RealServer & { secretKey: string };
  before(async () => {
    app = await startFastApi();
  });
  after(async () => {
    await app?.stop();
  });

  it("/admin with bob's token: 403 with it, 401 without → permission_denied", async () => {
    const token = await fastApiToken(app.origin, USERS.bob);
    const url = `${app.origin}/admin`;
    assert.deepEqual(await ask(url, { headers: bearer(token) }), {
      status: 403,
      challenge: null,
      body: detail('Not enough privileges'),
    });
    assert.deepEqual(await ask(url), { status: 401, challenge: 'Bearer', body: detail('Not authenticated') });

    const report = await diagnose({ url, bearer: token, timeoutMs: 5000 });
    const denied = report.findings[0]!;
    assert.equal(denied.code, 'permission_denied');
    assert.equal(denied.title, 'Authenticated as "bob", but not permitted');
    assert.ok(denied.evidence.includes('< detail: "Not enough privileges"'));
    assert.ok(denied.evidence.includes('< HTTP 401 Unauthorized'));
    assert.ok(denied.fix.endsWith(hint('forbidden')));
    assert.equal(denied.tried, undefined);
    assert.ok(!codes(report).includes('forbidden_instead_of_401'));
    assert.equal(exitCode(report), 1);
    assertMasked(report, [token, token.split('.')[2]!]);
  });

  it('/users/me/items with bob\'s token: 401 scope="items me" → insufficient_scope naming items, and the 401-for-scope warning', async () => {
    const token = await fastApiToken(app.origin, USERS.bob);
    const url = `${app.origin}/users/me/items`;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.deepEqual(claims.scopes, ['me']);
    assert.deepEqual(await ask(url, { headers: bearer(token) }), {
      status: 401,
      challenge: 'Bearer scope="items me"',
      body: detail('Not enough permissions'),
    });

    const report = await diagnose({ url, bearer: token, timeoutMs: 5000 });
    const scope = report.findings[0]!;
    assert.equal(scope.code, 'insufficient_scope');
    assert.equal(scope.severity, 'error');
    assert.equal(scope.title, 'The token lacks scope "items"');
    assert.match(scope.fix, /The route needs "items", "me"; the token has "me"; missing "items"\./);
    assert.ok(scope.evidence.includes('  token scopes = ["me"]'));
    const warning = report.findings.find((f) => f.code === 'unauthorized_instead_of_403');
    assert.equal(warning?.severity, 'warning');
    assert.ok(report.findings.indexOf(warning!) > 0, 'the warning comes after the cause');
    assert.equal(exitCode(report), 1);
    assertMasked(report, [token, token.split('.')[2]!]);
  });

  it('the same scope= on the 401 of a token signed by another key is not a scope problem', async () => {
    // Lacks "items" too, but the server never got that far: it could not validate the token.
    const forged = await signFastApiToken('another-key-entirely', { sub: 'bob', scopes: ['me'] });
    const url = `${app.origin}/users/me/items`;
    assert.deepEqual(await ask(url, { headers: bearer(forged) }), {
      status: 401,
      challenge: 'Bearer scope="items me"',
      body: detail('Could not validate credentials'),
    });

    const report = await diagnose({ url, bearer: forged, timeoutMs: 5000 });
    assert.ok(!codes(report).includes('insufficient_scope'), codes(report).join(', '));
    assert.ok(!codes(report).includes('unauthorized_instead_of_403'), codes(report).join(', '));
  });

  it('/bearer/me without credentials: 403 "Not authenticated" → forbidden_instead_of_401', async () => {
    const url = `${app.origin}/bearer/me`;
    assert.deepEqual(await ask(url), { status: 403, challenge: null, body: detail('Not authenticated') });

    const report = await diagnose({ url, timeoutMs: 5000 });
    assert.deepEqual(codes(report), ['forbidden_instead_of_401']);
    assert.equal(report.findings[0]!.severity, 'error');
    assert.ok(report.findings[0]!.evidence.includes('> (no credentials)'));
    assert.equal(exitCode(report), 1);
  });
});

describe('Django REST Framework: permissions, CSRF and session-first 403s', { skip }, () => {
  let app: RealServer & { token: string };
  before(async () => {
    app = await startDrf();
  });
  after(async () => {
    await app?.stop();
  });

  it('/api/admin/ as bob (Basic): 403 with, 401 without → permission_denied', async () => {
    const url = `${app.origin}/api/admin/`;
    const pair = `${USERS.bob.username}:${USERS.bob.password}`;
    assert.deepEqual(await ask(url, { headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` } }), {
      status: 403,
      challenge: null,
      body: detail('You do not have permission to perform this action.'),
    });
    assert.deepEqual(await ask(url), {
      status: 401,
      challenge: 'Token',
      body: detail('Authentication credentials were not provided.'),
    });

    const report = await diagnose({ url, basic: pair, timeoutMs: 5000 });
    const denied = report.findings[0]!;
    assert.equal(denied.code, 'permission_denied');
    assert.equal(denied.title, 'Authenticated as "bob", but not permitted');
    assert.match(denied.fix, /Basic user "bob"/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, [
      USERS.bob.password,
      Buffer.from(pair).toString('base64'),
      Buffer.from(pair).toString('base64url'),
    ]);
  });

  it("POST /api/session/me/ with alice's session and no X-CSRFToken → csrf_failed, verified with the cookie's token", async () => {
    const session = await drfLogin(app.origin, USERS.alice);
    const url = `${app.origin}/api/session/me/`;
    // Django 3.2's words; 4.0 and later say "CSRF token missing."
    assert.deepEqual(await ask(url, { method: 'POST', headers: { cookie: session.cookie } }), {
      status: 403,
      challenge: null,
      body: detail('CSRF Failed: CSRF token missing or incorrect.'),
    });
    assert.deepEqual(await ask(url, { method: 'POST' }), {
      status: 403,
      challenge: null,
      body: detail('Authentication credentials were not provided.'),
    });

    const report = await diagnose({ url, method: 'POST', headers: [['Cookie', session.cookie]], timeoutMs: 5000 });
    const csrf = report.findings[0]!;
    assert.equal(csrf.code, 'csrf_failed');
    assert.equal(
      csrf.title,
      "The server's CSRF check refused this POST: the csrftoken cookie was sent without its CSRF header",
    );
    assert.ok(csrf.evidence.includes('< detail: "CSRF Failed: CSRF token missing or incorrect."'));
    assert.match(csrf.fix, /X-CSRFToken/);
    assert.deepEqual(csrf.tried, {
      change: "sent the csrftoken cookie's value as X-CSRFToken",
      verified: true,
      status: 200,
    });
    const proved = report.exchanges.find((e) => e.probe === 'fix')!;
    assert.deepEqual(JSON.parse(proved.response!.body), { username: 'alice', posted: true });
    // Not "no credentials": the cookies were credentials. The probe without them got a 403 too,
    // which is a remark on DRF's session-first design, after the cause.
    const design = report.findings.find((f) => f.code === 'forbidden_instead_of_401');
    assert.equal(design?.severity, 'warning');
    assert.ok(!design!.evidence.includes('> (no credentials)'));
    assert.ok(!codes(report).includes('permission_denied'));
    assert.equal(exitCode(report), 1);
    assertMasked(report, [session.sessionid, session.csrftoken]);
  });

  it('GET /api/session/me/ without anything: 403 → forbidden_instead_of_401', async () => {
    const url = `${app.origin}/api/session/me/`;
    assert.deepEqual(await ask(url), {
      status: 403,
      challenge: null,
      body: detail('Authentication credentials were not provided.'),
    });

    const report = await diagnose({ url, timeoutMs: 5000 });
    assert.deepEqual(codes(report), ['forbidden_instead_of_401']);
    assert.equal(report.findings[0]!.severity, 'error');
    assert.equal(exitCode(report), 1);
  });
});
