/**
 * The doctor proves its fixes (issue 15 point 7): each fix's corrected request sent once, an unsafe
 * method carried out at most once, and the doctor's own requests that carried one out reported.
 * Each server here is a loopback server that answers as the situation does.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { diagnose, exitCode, renderMarkdown, renderTerminal } from '../../src/doctor/index.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const TOKEN = 'tok-9f8e7d6c5b4a39281706';

/** A server that takes exactly `Authorization: Token <TOKEN>`, as DRF's TokenAuthentication does. */
function tokenServer(req: IncomingMessage, res: ServerResponse) {
  if (req.headers.authorization === `Token ${TOKEN}`) return json(res, 200, { user: 'alice' });
  json(res, 401, { detail: 'Authentication credentials were not provided.' }, { 'www-authenticate': 'Token' });
}

/** A server that takes exactly `Authorization: Bearer <TOKEN>`. */
function bearerServer(req: IncomingMessage, res: ServerResponse) {
  if (
    req.rawHeaders.filter((h) => /^authorization$/i.test(h)).length === 1 &&
    req.headers.authorization === `Bearer ${TOKEN}`
  )
    return json(res, 200, {});
  json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' });
}

describe('the doctor proves its fix', () => {
  it('a Token server is told its own scheme, and the Bearer token sent as Token is verified', async () => {
    const server = await serve(tokenServer);
    const missing = await diagnose({ url: `${server.origin}/me`, timeoutMs: 3000 });
    assert.equal(missing.findings[0]?.code, 'credentials_missing');
    assert.match(missing.findings[0]!.fix, /Authorization: Token TOKEN/);
    assert.doesNotMatch(missing.findings[0]!.fix, /--bearer|--basic/);
    assert.equal(missing.findings[0]?.tried, undefined, 'no credential was given, so nothing is tried');

    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 3000 });
    const finding = report.findings.find((f) => f.code === 'scheme_mismatch');
    assert.ok(finding, JSON.stringify(report.findings));
    assert.deepEqual(finding.tried, {
      change: 'sent the same credential in the Token scheme',
      verified: true,
      status: 200,
    });
    const fix = report.exchanges.find((e) => e.probe === 'fix');
    assert.ok(fix);
    assert.ok(!JSON.stringify(report).includes(TOKEN), 'the token is masked in the report');
    assert.match(
      renderTerminal(report),
      /✔ verified: with this change \(sent the same credential in the Token scheme\) the server answers 200/,
    );
    assert.match(renderMarkdown(report), /✔ Verified: with this change/);
    assert.equal(server.received.at(-1)?.headers.authorization, `Token ${TOKEN}`);
  });

  it('a Basic pair is never turned into a token to try', async () => {
    const server = await serve(tokenServer);
    const report = await diagnose({ url: `${server.origin}/me`, basic: 'alice:wonderland', timeoutMs: 3000 });
    assert.ok(report.findings.some((f) => f.code === 'scheme_mismatch'));
    assert.ok(!report.exchanges.some((e) => e.probe === 'fix'));
  });

  const shapes: Array<[string, Array<[string, string]>, RegExp]> = [
    ['the scheme twice', [['Authorization', `Bearer Bearer ${TOKEN}`]], /scheme_format/],
    ['a colon after the scheme', [['Authorization', `Bearer:${TOKEN}`]], /scheme_format/],
    [
      'two identical fields',
      [
        ['Authorization', `Bearer ${TOKEN}`],
        ['Authorization', `Bearer ${TOKEN}`],
      ],
      /scheme_format/,
    ],
    ['a trailing newline', [['Authorization', `Bearer ${TOKEN}\n`]], /credential_whitespace/],
    ['quotes', [['Authorization', `Bearer "${TOKEN}"`]], /credential_whitespace/],
  ];
  for (const [what, headers, code] of shapes) {
    it(`${what}: corrected, re-sent, verified`, async () => {
      const server = await serve(bearerServer);
      const report = await diagnose({ url: `${server.origin}/me`, headers, timeoutMs: 3000 });
      const finding = report.findings.find((f) => code.test(f.code));
      // A newline cannot go out in a header at all: then the doctor says so and tries the trimmed one.
      assert.ok(finding, `${what}: ${JSON.stringify(report.findings.map((f) => f.code))}`);
      assert.equal(finding.tried?.verified, true, JSON.stringify(finding.tried));
      assert.equal(finding.tried?.status, 200);
      assert.equal(exitCode(report), 1, 'a cause was named');
    });
  }

  it('a fix that does not help says "still 401"', async () => {
    const server = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' }));
    const report = await diagnose({
      url: `${server.origin}/me`,
      headers: [['Authorization', `Bearer Bearer ${TOKEN}`]],
      timeoutMs: 3000,
    });
    const finding = report.findings.find((f) => f.code === 'scheme_format');
    assert.equal(finding?.tried?.verified, false);
    assert.equal(finding?.tried?.status, 401);
    assert.match(renderTerminal(report), /✘ tried \(.*\): still 401/);
  });
});

describe('an unsafe method is performed at most once', () => {
  const KEY = 'key-abcdefgh12345678';
  const CSRF = 'csrf-value-1234567890';
  /**
   * An API whose description asks for X-API-Key, that also lets a cookie session with its CSRF
   * header through: a request with the key sent as Bearer and no CSRF header has two fixes that work.
   */
  function twoWays(counter: { performed: number }) {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/openapi.json')
        return json(res, 200, {
          openapi: '3.0.2',
          paths: { '/orders': { get: { security: [{ Key: [] }] }, post: { security: [{ Key: [] }] } } },
          components: { securitySchemes: { Key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
        });
      if (req.headers['x-api-key'] === KEY || req.headers['x-csrftoken'] === CSRF) {
        if (req.method === 'POST') counter.performed++;
        return json(res, req.method === 'POST' ? 201 : 200, {});
      }
      json(res, 403, { detail: 'Forbidden' });
    };
  }
  const headers: Array<[string, string]> = [
    ['Authorization', `Bearer ${KEY}`],
    ['Cookie', `csrftoken=${CSRF}; sessionid=sess-1234567890abcdef`],
  ];

  it('after a fix made the POST succeed, no other fix is sent', async () => {
    const counter = { performed: 0 };
    const server = await serve(twoWays(counter));
    const report = await diagnose({
      url: `${server.origin}/orders`,
      method: 'POST',
      data: '{}',
      headers,
      timeoutMs: 3000,
    });
    const tried = report.findings.filter((f) => f.tried);
    assert.equal(tried.length, 1, JSON.stringify(report.findings.map((f) => [f.code, f.tried])));
    assert.equal(tried[0]?.tried?.status, 201);
    assert.ok(
      report.findings.some((f) => f.code === 'scheme_mismatch' && !f.tried),
      'the second fix is named, not sent',
    );
    assert.equal(counter.performed, 1, 'the order was placed once');
  });

  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    it(`${method} is unsafe too: one fix sent, the other named`, async () => {
      const server = await serve(twoWays({ performed: 0 }));
      const report = await diagnose({ url: `${server.origin}/orders`, method, headers, timeoutMs: 3000 });
      assert.equal(report.findings.filter((f) => f.tried).length, 1);
      assert.equal(report.exchanges.filter((e) => e.probe === 'fix').length, 1);
    });
  }
});

describe("the doctor's own requests that carried out an unsafe method are reported", () => {
  it('a server that takes the POST without credentials: the probe placed an order, and the report says so', async () => {
    let placed = 0;
    const server = await serve((req, res) => {
      if (req.headers.authorization)
        return json(res, 401, { detail: 'Invalid token.' }, { 'www-authenticate': 'Bearer' });
      placed++;
      json(res, 201, { created: true });
    });
    const report = await diagnose({
      url: `${server.origin}/orders`,
      method: 'POST',
      data: '{}',
      bearer: TOKEN,
      timeoutMs: 3000,
    });
    assert.equal(placed, 1);
    assert.deepEqual(report.performed, ['without-credentials 201']);
    assert.match(
      renderTerminal(report),
      /! The server carried out the POST for the doctor's own request too: without-credentials 201\./,
    );
    assert.match(renderMarkdown(report), /\*\*Note:\*\* The server carried out the POST/);
  });

  it('a POST is sent without credentials once, even when the refusals differ only by a nonce', async () => {
    let anonymous = 0;
    const server = await serve((req, res) => {
      if (!req.headers.authorization) anonymous++;
      json(
        res,
        401,
        { detail: 'Refused.', request: crypto.randomUUID().slice(0, 8) + Math.random() },
        {
          'www-authenticate': 'Bearer',
        },
      );
    });
    await diagnose({ url: `${server.origin}/orders`, method: 'POST', data: '{}', bearer: TOKEN, timeoutMs: 3000 });
    assert.equal(anonymous, 1);
  });

  it('a newline alone is not called spaces', async () => {
    const server = await serve(bearerServer);
    const report = await diagnose({
      url: `${server.origin}/me`,
      headers: [['Authorization', `Bearer ${TOKEN}\n`]],
      timeoutMs: 3000,
    });
    const finding = report.findings.find((f) => f.code === 'credential_whitespace');
    assert.match(finding?.title ?? '', /a line break/);
    assert.doesNotMatch(finding?.title ?? '', /spaces/);
  });

  it('a GET is never reported so', async () => {
    const server = await serve((req, res) =>
      req.headers.authorization ? json(res, 401, {}, { 'www-authenticate': 'Bearer' }) : json(res, 200, {}),
    );
    const report = await diagnose({ url: `${server.origin}/orders`, bearer: TOKEN, timeoutMs: 3000 });
    assert.equal(report.performed, undefined);
  });
});

/**
 * RFC 9449 §7.1: a DPoP request carries a proof signed with the token's key. The doctor has no key,
 * so the same token sent as `DPoP <token>` without a proof cannot succeed: it is named as the fix,
 * not tried (trying it only sent the token again for a certain refusal).
 */
describe('the doctor does not try a fix it cannot make', () => {
  it('a token sent as Bearer to a DPoP-only API: the DPoP scheme is named, nothing resent', async () => {
    const seen: string[] = [];
    const server = await serve((req, res) => {
      seen.push(req.headers.authorization ?? '');
      json(res, 401, {}, { 'www-authenticate': 'DPoP algs="ES256", error="invalid_token"' });
    });
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 3000 });
    const finding = report.findings.find((f) => f.code === 'scheme_mismatch');
    assert.ok(finding, JSON.stringify(report.findings.map((f) => f.code)));
    assert.match(finding.fix, /Authorization: DPoP TOKEN' -H 'DPoP: PROOF'/);
    assert.equal(finding.tried, undefined);
    assert.equal(report.exchanges.filter((e) => e.probe === 'fix').length, 0);
    assert.ok(!seen.includes(`DPoP ${TOKEN}`), 'the token went out as DPoP without a proof');
  });
});
