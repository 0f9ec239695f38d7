/**
 * Redirects (issue 15 point 5, with point 7's remedies), against loopback servers that answer as
 * the situation does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose, exitCode, renderTerminal } from '../../src/doctor/index.ts';
import { verdict } from '../../src/doctor/render.ts';
import { assertMasked } from '../support/doctor-masking.ts';
import { type Handler, json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const TOKEN = 'tok-5e4d3c2b1a09f8e7d6c5';
const KEY = 'key-0a1b2c3d4e5f6a7b8c9d';

/** No form of the secret anywhere a user could see or paste the report. */

/**
 * Django's APPEND_SLASH with DEBUG off: /me is answered 301 to /me/, whatever the method; /me/
 * takes a GET (and a POST when `post` is set) with the token, else 401.
 */
function slashServer(post: boolean) {
  return serve((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/me') {
      res.writeHead(301, { location: `/me/${url.search}` });
      return res.end();
    }
    if (req.headers.authorization !== `Token ${TOKEN}`)
      return json(
        res,
        401,
        { detail: 'Authentication credentials were not provided.' },
        { 'www-authenticate': 'Token' },
      );
    if (req.method === 'GET') return json(res, 200, { username: 'alice' });
    if (req.method === 'POST' && post) return json(res, 201, { posted: body.toString() });
    json(res, 405, { detail: `Method "${req.method}" not allowed.` });
  });
}

describe('a same-origin redirect that ends in 2xx works after a redirect', () => {
  it('GET /me → 301 /me/ → 200: trailing_slash_redirect, a warning, exit 0, the slash tried and verified', async () => {
    const server = await slashServer(false);
    const report = await diagnose({
      url: `${server.origin}/me`,
      headers: [['Authorization', `Token ${TOKEN}`]],
      timeoutMs: 3000,
    });
    assert.equal(report.outcome, 'success');
    assert.equal(report.status, 301);
    assert.equal(report.finalStatus, 200);
    assert.equal(verdict(report), `${server.origin}/me: 301 → 200, it works after a redirect`);
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [['trailing_slash_redirect', 'warning']],
    );
    const finding = report.findings[0]!;
    assert.equal(finding.title, 'The server redirects to the URL with the trailing slash (/me/)');
    assert.match(finding.fix, new RegExp(`Call ${server.origin}/me/ directly, with the trailing slash`));
    assert.match(finding.fix, /APPEND_SLASH/);
    // A GET comes through; the warning is about the POST a client may send to the same URL later.
    assert.match(finding.fix, /a POST to this URL would not: a 301 lets clients turn a POST into a GET/);
    assert.deepEqual(finding.tried, {
      change: 'added the trailing slash: the same GET to /me/',
      verified: true,
      status: 200,
    });
    assert.equal(exitCode(report), 0);
    const resent = server.received.at(-1)!;
    assert.deepEqual([resent.method, resent.url, resent.headers.authorization], ['GET', '/me/', `Token ${TOKEN}`]);
    assertMasked(report, TOKEN);
  });

  it('another same-origin redirect (302 to /v2/me) is `redirected`, naming the final URL', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/me') {
        res.writeHead(302, { location: '/v2/me' });
        return res.end();
      }
      return json(res, 200, {});
    });
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 3000 });
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['redirected'],
    );
    assert.equal(report.findings[0]!.title, 'The request is redirected to /v2/me');
    assert.match(report.findings[0]!.fix, new RegExp(`Call ${server.origin}/v2/me directly`));
    assert.equal(report.findings[0]!.tried?.verified, true);
    assert.equal(exitCode(report), 0);
  });

  it('POST /me → 301 → GET /me/ → 200 is an error: the request that succeeded was not the one sent', async () => {
    const server = await slashServer(true);
    const report = await diagnose({
      url: `${server.origin}/me`,
      method: 'POST',
      headers: [['Authorization', `Token ${TOKEN}`]],
      data: 'note=hello',
      timeoutMs: 3000,
    });
    // What the doctor followed is what browsers and curl -L do: a GET without the body.
    const followed = server.received[1]!;
    assert.deepEqual([followed.method, followed.url, followed.body.length], ['GET', '/me/', 0]);
    assert.equal(report.outcome, 'success');
    const finding = report.findings[0]!;
    assert.equal(finding.code, 'trailing_slash_redirect');
    assert.equal(finding.severity, 'error');
    assert.equal(
      finding.title,
      'The 301 redirect to the trailing-slash URL turned the POST into a GET and dropped its body: the request that succeeded was not the one you sent',
    );
    assert.match(finding.fix, /RFC 9110 §15\.4\.2/);
    assert.match(finding.fix, /307 or 308/);
    assert.match(
      verdict(report),
      /: 301 → 200, but the 301 redirect to the trailing-slash URL turned the POST into a GET/,
    );
    assert.equal(exitCode(report), 1);
    // The remedy: the same POST, body and all, to the URL with the slash.
    assert.deepEqual(finding.tried, {
      change: 'added the trailing slash: the same POST to /me/',
      verified: true,
      status: 201,
    });
    const resent = server.received.at(-1)!;
    assert.deepEqual([resent.method, resent.url, resent.body.toString()], ['POST', '/me/', 'note=hello']);
    assertMasked(report, TOKEN);
  });

  it('a 307 keeps the POST and its body: a warning, exit 0', async () => {
    const server = await serve((req, res, body) => {
      if (req.url === '/upload') {
        res.writeHead(307, { location: '/v2/upload' });
        return res.end();
      }
      return json(res, req.method === 'POST' && body.toString() === 'x=1' ? 201 : 400, {});
    });
    const report = await diagnose({ url: `${server.origin}/upload`, method: 'POST', data: 'x=1', timeoutMs: 3000 });
    const hop = server.received[1]!;
    assert.deepEqual([hop.method, hop.url, hop.body.toString()], ['POST', '/v2/upload', 'x=1']);
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [['redirected', 'warning']],
    );
    assert.match(report.findings[0]!.fix, /The 307 kept the method and body .* the POST arrived as sent/);
    assert.equal(verdict(report), `${server.origin}/upload: 307 → 201, it works after a redirect`);
    assert.equal(exitCode(report), 0);
  });

  it('a PUT through a 301 keeps its method and body, but nothing promises it: a warning, exit 0', async () => {
    const server = await slashServer(false);
    const report = await diagnose({
      url: `${server.origin}/me`,
      method: 'PUT',
      headers: [['Authorization', `Token ${TOKEN}`]],
      data: 'x=1',
      timeoutMs: 3000,
    });
    assert.deepEqual([server.received[1]!.method, server.received[1]!.body.toString()], ['PUT', 'x=1']);
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [['trailing_slash_redirect', 'info']],
      'the PUT got 405 at the slash URL: the redirect is not the cause',
    );
    assert.match(
      report.findings[0]!.fix,
      /The PUT kept its method and body through the 301 .* only 307 and 308 promise that/,
    );
  });

  it('a 303 after a POST is Post/Redirect/Get: said so, not an error, nothing resent', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(303, { location: '/items/42' });
        return res.end();
      }
      return json(res, 200, { id: 42 });
    });
    const report = await diagnose({ url: `${server.origin}/items`, method: 'POST', data: 'x=1', timeoutMs: 3000 });
    assert.equal(report.findings[0]?.code, 'redirected');
    assert.equal(report.findings[0]?.severity, 'warning');
    assert.match(report.findings[0]!.title, /answered the POST with 303 See Other, pointing to \/items\/42/);
    assert.equal(report.findings[0]?.tried, undefined);
    assert.equal(exitCode(report), 0);
    assert.equal(server.received.length, 2, 'the POST was not sent again');
  });

  it('a redirect that ends in 401: the final answer is diagnosed too, its fix proved there', async () => {
    const server = await slashServer(false);
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 3000 });
    assert.equal(report.outcome, 'failure');
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [
        ['scheme_mismatch', 'error'],
        ['trailing_slash_redirect', 'info'],
      ],
    );
    // The Bearer token went to a Token server: sent as Token to the slash URL, it works.
    assert.equal(report.findings[0]!.tried?.verified, true);
    assert.match(report.findings[0]!.tried!.change, /Token scheme/);
    assert.match(report.findings[1]!.fix, /with 401; why is diagnosed in the findings before this one/);
    assert.equal(report.finalStatus, 401);
    assert.match(renderTerminal(report).split('\n')[0]!, /301 → 401 — The server does not offer the Bearer scheme/);
    assert.ok(!JSON.stringify(report).includes(TOKEN));
    assert.equal(exitCode(report), 1);
  });
});

describe('a redirect to another origin', () => {
  const landing: Handler = (req, res) =>
    req.headers.authorization === `Bearer ${TOKEN}`
      ? json(res, 200, {})
      : json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' });

  it('another plain-http port on the same host: auth_dropped_on_redirect alone, not resent, and why', async () => {
    const target = await serve(landing);
    const server = await serve((_req, res) => {
      res.writeHead(301, { location: `${target.origin}/landing` });
      res.end();
    });
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 3000 });
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['auth_dropped_on_redirect'],
      'one finding for one redirect',
    );
    assert.equal(report.findings[0]!.tried, undefined);
    assert.match(
      report.findings[0]!.fix,
      /did not resend the request to .*: another port over plain http may be another program/,
    );
    assert.ok(
      target.received.every((r) => r.headers.authorization === undefined),
      'the token never reached the other port',
    );
    assertMasked(report, TOKEN);
  });

  it('another host name (127.0.0.1 → localhost): not tried, and the finding says why', async () => {
    const target = await serve(landing, { host: 'localhost' });
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${target.origin}/landing` });
      res.end();
    });
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 3000 });
    const finding = report.findings[0]!;
    assert.equal(finding.code, 'auth_dropped_on_redirect');
    assert.equal(finding.tried, undefined);
    assert.match(finding.fix, /did not resend the request to http:\/\/localhost:\d+: localhost is another host/);
    assert.ok(target.received.length > 0, 'the redirect was followed');
    assert.ok(
      target.received.every((r) => r.headers.authorization === undefined),
      'the token never reached the other host',
    );
  });

  it('an API key header to another port: `redirected`, the key left out on the way and not resent', async () => {
    const target = await serve((_req, res) => json(res, 200, {}));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${target.origin}/landing` });
      res.end();
    });
    const report = await diagnose({ url: `${server.origin}/me`, headers: [['X-API-Key', KEY]], timeoutMs: 3000 });
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.severity]),
      [['redirected', 'warning']],
    );
    assert.match(report.findings[0]!.fix, /the doctor left out X-API-Key, as clients do for another origin/);
    assert.match(report.findings[0]!.fix, /did not resend the request to .*: another port over plain http/);
    assert.equal(report.findings[0]!.tried, undefined);
    assert.ok(target.received.every((r) => r.headers['x-api-key'] === undefined));
    assertMasked(report, KEY);
  });

  it('a POST turned into a GET on the way to another port is said in the same finding', async () => {
    const target = await serve(landing);
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${target.origin}/landing` });
      res.end();
    });
    const report = await diagnose({
      url: `${server.origin}/me`,
      method: 'POST',
      bearer: TOKEN,
      data: 'a=1',
      timeoutMs: 3000,
    });
    assert.deepEqual(
      report.findings.map((f) => f.code),
      ['auth_dropped_on_redirect'],
    );
    assert.match(report.findings[0]!.fix, /the 302 also turned the POST into a GET and dropped its body/);
    assert.deepEqual(
      target.received.map((r) => [r.method, r.body.length]),
      [['GET', 0]],
      'followed as a GET, and not resent to the other port',
    );
  });
});
