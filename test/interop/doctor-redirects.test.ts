/**
 * Redirects and API-key descriptions on real servers nobody here wrote (issue 15 points 5-7): DRF
 * behind Django's APPEND_SLASH, and FastAPI's APIKeyHeader with the /openapi.json it serves. Each
 * test first asserts what the server really answers, then what the doctor makes of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode } from '../../src/doctor/index.ts';
import { verdict } from '../../src/doctor/render.ts';
import { assertMasked } from '../support/doctor-masking.ts';
import {
  answer,
  drfLogin,
  FASTAPI_API_KEY,
  only,
  type RealServer,
  realServersMissing,
  startDrf,
  startFastApi,
  USERS,
} from '../support/real-servers.ts';

const skip = realServersMissing() ?? false;

const ask = async (url: string, init: RequestInit = {}) =>
  only(await answer(url, init), 'status', 'location', 'challenge', 'body');

describe("DRF 3.14 behind Django's APPEND_SLASH", { skip }, () => {
  let app: RealServer & { token: string };
  before(async () => {
    app = await startDrf();
  });
  after(async () => {
    await app?.stop();
  });

  it('GET /api/token/me with the token: works after a redirect, the slash named and verified, exit 0', async () => {
    const headers = { authorization: `Token ${app.token}` };
    const raw = await ask(`${app.origin}/api/token/me`, { headers });
    assert.deepEqual([raw.status, raw.location, raw.challenge], [301, '/api/token/me/', null]);
    const followed = await ask(`${app.origin}/api/token/me/`, { headers });
    assert.deepEqual([followed.status, followed.body], [200, JSON.stringify({ username: 'alice' })]);

    const report = await diagnose({
      url: `${app.origin}/api/token/me`,
      headers: [['Authorization', `Token ${app.token}`]],
      timeoutMs: 5000,
    });
    assert.equal(verdict(report), `${app.origin}/api/token/me: 301 → 200, it works after a redirect`);
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [['trailing_slash_redirect', 'warning']],
    );
    const finding = report.findings[0]!;
    assert.equal(finding.title, 'The server redirects to the URL with the trailing slash (/api/token/me/)');
    assert.match(finding.fix, new RegExp(`Call ${app.origin}/api/token/me/ directly, with the trailing slash`));
    assert.deepEqual(finding.tried, {
      change: 'added the trailing slash: the same GET to /api/token/me/',
      verified: true,
      status: 200,
    });
    assert.equal(exitCode(report), 0);
    assertMasked(report, app.token);
  });

  it('GET /api/token/me with the token sent as Bearer: 301 → 401, and the 401 is diagnosed (Token scheme, verified)', async () => {
    const headers = { authorization: `Bearer ${app.token}` };
    const raw = await ask(`${app.origin}/api/token/me`, { headers });
    assert.deepEqual([raw.status, raw.location], [301, '/api/token/me/']);
    const followed = await ask(`${app.origin}/api/token/me/`, { headers });
    assert.deepEqual(
      [followed.status, followed.challenge, followed.body],
      [401, 'Token', JSON.stringify({ detail: 'Authentication credentials were not provided.' })],
    );

    const report = await diagnose({ url: `${app.origin}/api/token/me`, bearer: app.token, timeoutMs: 5000 });
    assert.equal(report.finalStatus, 401);
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [
        ['scheme_mismatch', 'error'],
        ['trailing_slash_redirect', 'info'],
      ],
    );
    assert.match(report.findings[0]!.fix, /-H 'Authorization: Token TOKEN'/);
    assert.deepEqual(report.findings[0]!.tried, {
      change: 'sent the same credential in the Token scheme',
      verified: true,
      status: 200,
    });
    assert.equal(exitCode(report), 1);
    assertMasked(report, app.token);
  });

  it('POST /api/token/me: the 301 is followed as a GET (200) — an error, exit 1; the POST itself gets 405', async () => {
    const headers = { authorization: `Token ${app.token}`, 'content-type': 'application/x-www-form-urlencoded' };
    // With DEBUG off Django redirects the POST too; the view at the slash URL takes only GET.
    const raw = await ask(`${app.origin}/api/token/me`, { method: 'POST', headers, body: 'note=hi' });
    assert.deepEqual([raw.status, raw.location], [301, '/api/token/me/']);
    const posted = await ask(`${app.origin}/api/token/me/`, { method: 'POST', headers, body: 'note=hi' });
    assert.deepEqual([posted.status, posted.body], [405, JSON.stringify({ detail: 'Method "POST" not allowed.' })]);

    const report = await diagnose({
      url: `${app.origin}/api/token/me`,
      method: 'POST',
      headers: [['Authorization', `Token ${app.token}`]],
      data: 'note=hi',
      timeoutMs: 5000,
    });
    assert.equal(report.finalStatus, 200, 'the GET the redirect became is answered 200');
    const finding = report.findings[0]!;
    assert.equal(finding.code, 'trailing_slash_redirect');
    assert.equal(finding.severity, 'error');
    assert.match(
      verdict(report),
      /: 301 → 200, but the 301 redirect to the trailing-slash URL turned the POST into a GET/,
    );
    assert.deepEqual(finding.tried, {
      change: 'added the trailing slash: the same POST to /api/token/me/',
      verified: false,
      status: 405,
    });
    assert.equal(exitCode(report), 1);
    assertMasked(report, app.token);
  });

  it('a session POST to /api/session/me: an error, and the POST to the slash URL is verified', async () => {
    const session = await drfLogin(app.origin, USERS.alice);
    const headers = { cookie: session.cookie, 'x-csrftoken': session.csrftoken };
    const raw = await ask(`${app.origin}/api/session/me`, { method: 'POST', headers, body: '' });
    assert.deepEqual([raw.status, raw.location], [301, '/api/session/me/']);
    const posted = await ask(`${app.origin}/api/session/me/`, { method: 'POST', headers, body: '' });
    assert.deepEqual([posted.status, posted.body], [200, JSON.stringify({ username: 'alice', posted: true })]);

    const report = await diagnose({
      url: `${app.origin}/api/session/me`,
      method: 'POST',
      headers: [
        ['Cookie', session.cookie],
        ['X-CSRFToken', session.csrftoken],
      ],
      timeoutMs: 5000,
    });
    const finding = report.findings[0]!;
    assert.deepEqual([finding.code, finding.severity], ['trailing_slash_redirect', 'error']);
    assert.deepEqual(finding.tried, {
      change: 'added the trailing slash: the same POST to /api/session/me/',
      verified: true,
      status: 200,
    });
    assert.equal(exitCode(report), 1);
    assertMasked(report, session.sessionid, session.csrftoken);
  });
});

describe("FastAPI 0.92: Starlette's redirect_slashes, APIKeyHeader and its /openapi.json", { skip }, () => {
  let app: RealServer;
  before(async () => {
    app = await startFastApi();
  });
  after(async () => {
    await app?.stop();
  });

  it('without the key: a bare 403, and the fix names X-API-Key from /openapi.json', async () => {
    const raw = await ask(`${app.origin}/apikey/me`);
    assert.deepEqual(raw, {
      status: 403,
      location: null,
      challenge: null,
      body: JSON.stringify({ detail: 'Not authenticated' }),
    });
    const described = JSON.parse((await ask(`${app.origin}/openapi.json`)).body);
    assert.deepEqual(described.components.securitySchemes.APIKeyHeader, {
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    assert.deepEqual(described.paths['/apikey/me'].get.security, [{ APIKeyHeader: [] }]);

    const report = await diagnose({ url: `${app.origin}/apikey/me`, timeoutMs: 5000 });
    const finding = report.findings[0]!;
    assert.deepEqual([finding.code, finding.severity], ['forbidden_instead_of_401', 'error']);
    assert.match(finding.fix, /APIKeyHeader \(-H 'X-API-Key: KEY'\), as \/openapi\.json describes it\.$/);
    const offered = finding.fix.slice(finding.fix.indexOf('a scheme the server offers:'));
    assert.doesNotMatch(offered, /OAuth2PasswordBearer|HTTPBasic|HTTPBearer/, 'only what /apikey/me requires');
    assert.equal(exitCode(report), 1);
  });

  it("GET /basic/me/ : Starlette's 307 to the slash-less route works after a redirect, exit 0", async () => {
    const basic = { authorization: `Basic ${Buffer.from('alice:wonderland').toString('base64')}` };
    const raw = await ask(`${app.origin}/basic/me/`, { headers: basic });
    assert.deepEqual([raw.status, raw.location], [307, `${app.origin}/basic/me`]);
    assert.equal((await ask(`${app.origin}/basic/me`, { headers: basic })).status, 200);

    const report = await diagnose({ url: `${app.origin}/basic/me/`, basic: 'alice:wonderland', timeoutMs: 5000 });
    assert.equal(verdict(report), `${app.origin}/basic/me/: 307 → 200, it works after a redirect`);
    const finding = report.findings[0]!;
    assert.deepEqual([finding.code, finding.severity], ['trailing_slash_redirect', 'warning']);
    assert.equal(finding.title, 'The server redirects to the URL without the trailing slash (/basic/me)');
    assert.match(finding.fix, /redirect_slashes/);
    assert.deepEqual(finding.tried, {
      change: 'removed the trailing slash: the same GET to /basic/me',
      verified: true,
      status: 200,
    });
    assert.equal(exitCode(report), 0);
    assertMasked(report, 'wonderland', 'alice:wonderland');
  });

  it('POST /token/ : the 307 keeps the POST and its form, said so, exit 0', async () => {
    const form = 'username=alice&password=wonderland';
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const raw = await ask(`${app.origin}/token/`, { method: 'POST', headers, body: form });
    assert.deepEqual([raw.status, raw.location], [307, `${app.origin}/token`]);
    const posted = await ask(`${app.origin}/token`, { method: 'POST', headers, body: form });
    assert.equal(posted.status, 200);
    assert.equal(JSON.parse(posted.body).token_type, 'bearer');

    const report = await diagnose({ url: `${app.origin}/token/`, method: 'POST', data: form, timeoutMs: 5000 });
    assert.equal(report.finalStatus, 200);
    const finding = report.findings[0]!;
    assert.deepEqual([finding.code, finding.severity], ['trailing_slash_redirect', 'warning']);
    assert.match(
      finding.fix,
      /The 307 kept the method and body \(RFC 9110 §15\.4\.8, §15\.4\.9\): the POST arrived as sent/,
    );
    assert.equal(exitCode(report), 0);
    // The token the followed POST got back is recorded masked.
    const issued = report.exchanges.find((e) => e.probe === 'redirect')!.response!.body;
    assert.match(issued, /"access_token":\s*"[^"]{4}…[^"]{4}"/);
  });

  it('the key sent as a Bearer token: scheme_mismatch, and the key in X-API-Key is verified', async () => {
    const raw = await ask(`${app.origin}/apikey/me`, { headers: { authorization: `Bearer ${FASTAPI_API_KEY}` } });
    assert.deepEqual(
      [raw.status, raw.challenge, raw.body],
      [403, null, JSON.stringify({ detail: 'Not authenticated' })],
    );
    const keyed = await ask(`${app.origin}/apikey/me`, { headers: { 'x-api-key': FASTAPI_API_KEY } });
    assert.equal(keyed.status, 200);

    const report = await diagnose({ url: `${app.origin}/apikey/me`, bearer: FASTAPI_API_KEY, timeoutMs: 5000 });
    const finding = report.findings[0]!;
    assert.equal(finding.code, 'scheme_mismatch');
    assert.equal(finding.title, "The API's description does not declare the Bearer scheme");
    assert.deepEqual(finding.tried, {
      change: 'sent the same credential in the X-API-Key header',
      verified: true,
      status: 200,
    });
    assert.equal(exitCode(report), 1);
    assertMasked(report, FASTAPI_API_KEY);
  });
});
