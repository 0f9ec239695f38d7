/** csrf_failed: a CSRF check on a cookie session (Django, Angular/Laravel), named and its fix verified with the cookie's token. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { exitCode } from '../../../src/doctor/index.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes, doctorRecording, finding } from '../../support/doctor-runs.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const run = doctorRecording(serve);

/** Django's CSRF check on a cookie session: unsafe methods need X-CSRFToken equal to the csrftoken cookie. */
function django(req: IncomingMessage, res: ServerResponse) {
  const cookies = new Map((req.headers.cookie ?? '').split(';').map((p) => p.trim().split('=') as [string, string]));
  if (!cookies.get('sessionid')) return json(res, 403, { detail: 'Authentication credentials were not provided.' });
  if (req.method !== 'GET' && req.headers['x-csrftoken'] !== cookies.get('csrftoken'))
    return json(res, 403, { detail: 'CSRF Failed: CSRF token missing.' });
  return json(res, 200, { username: 'alice' });
}

describe('csrf_failed: a CSRF check on a cookie session', () => {
  const session = 'sessionid=s3ss10n-0123456789abcdef; csrftoken=csrf-tok-0123456789abcdefABCDEF';

  it("Django: named, not reported as 'no credentials', and the fix verified with the cookie's value in X-CSRFToken", async () => {
    const { report, received } = await run(django, { method: 'POST', headers: [['Cookie', session]], data: 'x=1' });
    // What the server answered first, before reading the doctor.
    assert.equal(report.status, 403);
    assert.deepEqual(JSON.parse(report.exchanges[0]!.response!.body), { detail: 'CSRF Failed: CSRF token missing.' });

    const csrf = report.findings[0]!;
    assert.equal(csrf.code, 'csrf_failed');
    assert.equal(csrf.severity, 'error');
    assert.equal(
      csrf.title,
      "The server's CSRF check refused this POST: the csrftoken cookie was sent without its CSRF header",
    );
    assert.ok(csrf.evidence.includes('> Cookie: sessionid=…; csrftoken=…'));
    assert.ok(csrf.evidence.includes('> (no CSRF header)'));
    assert.ok(csrf.evidence.includes('< detail: "CSRF Failed: CSRF token missing."'));
    assert.match(csrf.fix, /send the csrftoken cookie's value in an X-CSRFToken header/);
    assert.match(csrf.fix, /token in the Authorization header/);
    assert.deepEqual(csrf.tried, {
      change: "sent the csrftoken cookie's value as X-CSRFToken",
      verified: true,
      status: 200,
    });
    // The fix re-sent only what the user gave: the cookie's value, in the header, with the body.
    const fix = received.at(-1)!;
    assert.equal(fix.method, 'POST');
    assert.equal(fix.headers['x-csrftoken'], 'csrf-tok-0123456789abcdefABCDEF');
    assert.equal(fix.headers.cookie, session);

    // The comparison probe's 403 is a remark on the server's design, ranked after, and honest about it.
    const design = finding(report, 'forbidden_instead_of_401');
    assert.equal(design.severity, 'warning');
    assert.ok(!design.evidence.includes('> (no credentials)'));
    assert.ok(!codes(report).includes('permission_denied'));
    assert.equal(exitCode(report), 1);
    assertMasked(report, ['s3ss10n-0123456789abcdef', 'csrf-tok-0123456789abcdefABCDEF']);
  });

  it('Angular/Laravel: the XSRF-TOKEN cookie goes back URL-decoded in X-XSRF-TOKEN', async () => {
    const raw = 'eyJpdiI6InNlY3JldC1pdiJ9%3D%3D';
    const decoded = decodeURIComponent(raw);
    const { report, received } = await run(
      (req, res) =>
        req.method === 'PUT' && req.headers['x-xsrf-token'] !== decoded
          ? json(res, 403, { message: 'Forbidden' })
          : json(res, 200, {}),
      { method: 'PUT', headers: [['Cookie', `laravel_session=sess-abcdefghijklmnop; XSRF-TOKEN=${raw}`]] },
    );
    const csrf = report.findings[0]!;
    assert.equal(csrf.code, 'csrf_failed');
    assert.equal(csrf.title, 'This PUT: the XSRF-TOKEN cookie was sent without its CSRF header');
    assert.match(csrf.fix, /XSRF-TOKEN cookie's value, URL-decoded, in an X-XSRF-TOKEN header/);
    assert.equal(csrf.tried?.verified, true);
    assert.equal(received.at(-1)!.headers['x-xsrf-token'], decoded);
    assertMasked(report, [raw, decoded, 'sess-abcdefghijklmnop']);
  });

  it('the words alone (Django\'s HTML page, no cookie at all): csrf_failed, not "403 without credentials"', async () => {
    const { report } = await run(
      (_req, res) => {
        res.writeHead(403, { 'content-type': 'text/html' });
        res.end(
          '<h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p><p>CSRF cookie not set.</p>',
        );
      },
      { method: 'POST', data: 'a=1' },
    );
    assert.deepEqual(codes(report), ['csrf_failed']);
    assert.equal(report.findings[0]!.title, "The server's CSRF check refused this POST");
    assert.match(report.findings[0]!.fix, /has not given this client its CSRF cookie/);
    assert.equal(report.findings[0]!.tried, undefined, 'no cookie to echo: nothing to try');
  });

  it('not for a GET, nor for a POST that sent its CSRF header and was refused for a permission', async () => {
    const get = await run((_req, res) => json(res, 403, { detail: 'Forbidden' }), {
      headers: [['Cookie', 'sessionid=abcdefghijklmnop; csrftoken=abcdefghijklmnopqrst']],
    });
    assert.ok(!codes(get.report).includes('csrf_failed'), codes(get.report).join(', '));

    const post = await run(
      (req, res) =>
        req.headers.cookie
          ? json(res, 403, { detail: 'You do not have permission to perform this action.' })
          : json(res, 403, { detail: 'Authentication credentials were not provided.' }),
      {
        method: 'POST',
        headers: [
          ['Cookie', 'sessionid=abcdefghijklmnop; csrftoken=abcdefghijklmnopqrst'],
          ['X-CSRFToken', 'abcdefghijklmnopqrst'],
        ],
      },
    );
    assert.equal(post.report.findings[0]?.code, 'permission_denied');
    assert.ok(!codes(post.report).includes('csrf_failed'));
    assertMasked(post.report, ['abcdefghijklmnopqrst', 'abcdefghijklmnop']);
  });
});
