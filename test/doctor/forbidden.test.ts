/**
 * 403s told apart (permission_denied, csrf_failed, forbidden_instead_of_401) and scope refusals in
 * every common shape (insufficient_scope, unauthorized_instead_of_403), each reproduced by a real
 * loopback server that answers as the frameworks named in the test do.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { type DiagnoseOptions, diagnose, exitCode, type Report } from '../../src/doctor/index.ts';
import { hint } from '../../src/doctor/rules/fixes.ts';
import { assertMasked } from '../support/doctor-masking.ts';
import { unsignedJwt } from '../support/jwt.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = (payload: Record<string, unknown>) => unsignedJwt({ alg: 'HS256', typ: 'JWT' }, payload);
const inTenMinutes = () => Math.floor(Date.now() / 1000) + 600;

async function run(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
  options: Omit<DiagnoseOptions, 'url'> = {},
): Promise<{ report: Report; received: Array<{ method: string; headers: IncomingMessage['headers'] }> }> {
  const server = await serve(handler);
  const report = await diagnose({ url: `${server.origin}/resource`, timeoutMs: 3000, ...options });
  return { report, received: server.received };
}

const codes = (report: Report) => report.findings.map((f) => f.code);
const finding = (report: Report, code: string) => {
  const found = report.findings.find((f) => f.code === code);
  assert.ok(found, `${code} among ${codes(report).join(', ') || 'no findings'}`);
  return found;
};

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

describe('forbidden_instead_of_401', () => {
  it('a 403 to a request without credentials is the error to explain', async () => {
    const { report } = await run((_req, res) => json(res, 403, { detail: 'Not authenticated' }));
    const found = report.findings[0]!;
    assert.equal(found.code, 'forbidden_instead_of_401');
    assert.equal(found.severity, 'error');
    assert.ok(found.evidence.includes('> (no credentials)'));
    assert.ok(found.evidence.includes('< detail: "Not authenticated"'));
  });
});

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
