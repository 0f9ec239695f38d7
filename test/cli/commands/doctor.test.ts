/**
 * `gatehouse doctor` from the command line: a pasted request (`--curl '…'`, `-- curl …`) probed as
 * given; the first line and exit code on a redirect (issue 15 points 5 and 8); usage mistakes, said
 * in one line, with no secret echoed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { gatehouse, gatehouseWith } from '../../support/cli.ts';
import { unsignedJwt } from '../../support/jwt.ts';
import { selfSignedCertificate } from '../../support/self-signed.ts';
import { json, serverPerTest, type TestServer } from '../../support/server.ts';

// In the right scheme, but expired an hour ago: the server reads it and refuses it.
const TOKEN = unsignedJwt(
  { alg: 'HS256', typ: 'JWT' },
  { sub: 'alice', exp: Math.floor(Date.now() / 1000) - 3600 },
  'c2lnbmF0dXJl',
);
const BODY = `{"note":"it's done!"}`;

describe('gatehouse doctor --curl', () => {
  const serve = serverPerTest();
  const api = () =>
    serve((req, res) => {
      if (req.headers.authorization === 'Bearer good') return json(res, 200, { ok: true });
      json(res, 401, { detail: 'Invalid token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    });
  /** The request that carried the pasted credentials (the doctor also sends its comparison probes). */
  const pasted = (server: TestServer) => server.received.find((r) => r.headers.authorization === `Bearer ${TOKEN}`);

  // What Chrome's "Copy as cURL (bash)" emits for a fetch() POST: $'…' because of the ' and the !.
  const chromeLine = (url: string) => `curl '${url}' \\
  -H 'accept: application/json' \\
  -H 'authorization: Bearer ${TOKEN}' \\
  -H 'content-type: application/json' \\
  -b 'sessionid=s3ss10n' \\
  -H 'x-request-id: 42' \\
  --data-raw $'{"note":"it\\'s done\\u0021"}'`;

  it('probes with exactly the pasted method, headers, cookie and body, names the cause, masks the token', async () => {
    const server = await api();
    const { code, stdout, stderr } = await gatehouse('doctor', '--curl', chromeLine(`${server.origin}/notes?draft=1`));
    assert.equal(code, 1, stdout + stderr);
    const got = pasted(server);
    assert.ok(got, 'the pasted Authorization reached the server');
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/notes?draft=1');
    assert.equal(got.body.toString(), BODY);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers.cookie, 'sessionid=s3ss10n');
    assert.equal(got.headers['x-request-id'], '42');
    assert.equal(got.headers.accept, 'application/json');
    assert.match(stdout, /\[token_expired\]/);
    assert.ok(!stdout.includes(TOKEN.split('.')[2]!) && !stdout.includes(TOKEN), 'the token is masked');
  });

  it('takes the same line after -- (the shell already split it)', async () => {
    const server = await api();
    const { code, stdout } = await gatehouse(
      'doctor',
      '--json',
      '--',
      'curl',
      `${server.origin}/notes`,
      '-H',
      `Authorization: Bearer ${TOKEN}`,
      '-XPUT',
      '-b',
      'sessionid=s3ss10n',
      '--data-raw',
      BODY,
    );
    assert.equal(code, 1, stdout);
    const got = pasted(server);
    assert.equal(got?.method, 'PUT');
    assert.equal(got?.body.toString(), BODY);
    assert.equal(got?.headers['content-type'], 'application/x-www-form-urlencoded', "curl's default for --data");
    assert.equal(got?.headers.cookie, 'sessionid=s3ss10n');
    assert.equal(JSON.parse(stdout).findings[0].code, 'token_expired');
    for (const secret of [TOKEN, TOKEN.split('.')[2]!, 's3ss10n'])
      assert.ok(!stdout.includes(secret), `the JSON report masks ${secret.slice(0, 4)}…`);
  });

  it('-u user:pass is Basic, as --basic would send it', async () => {
    const server = await api();
    await gatehouse('doctor', '--curl', `curl -u 'alice:p@ss' ${server.origin}/`);
    assert.ok(server.received.some((r) => r.headers.authorization === `Basic ${btoa('alice:p@ss')}`));
  });

  it('a bad line: one line on stderr, exit 64, no stack trace, no secret', async () => {
    for (const line of [
      `curl --frobnicate https://a.test/ -H 'Authorization: Bearer ${TOKEN}'`,
      `curl 'https://a.test/' -H 'Authorization: Bearer ${TOKEN}`,
      `curl ^"https://a.test/^" -H ^"Authorization: Bearer ${TOKEN}^"`,
      `curl https://a.test/ https://b.test/?access_token=${TOKEN}`,
    ]) {
      const { code, stdout, stderr } = await gatehouse('doctor', '--curl', line);
      assert.equal(code, 64, line);
      assert.equal(stdout, '');
      assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
      assert.match(stderr, /^gatehouse doctor --curl: /);
      assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/);
      assert.ok(!stderr.includes(TOKEN) && !stderr.includes(TOKEN.split('.')[2]!), stderr);
    }
    assert.match((await gatehouse('doctor', '--curl', 'curl --frobnicate https://a.test/')).stderr, /--frobnicate/);
  });

  it('mixing --curl with the doctor request flags, or both forms, is a usage error', async () => {
    for (const args of [
      ['--curl', 'curl https://a.test/', '-H', 'A: b'],
      ['--curl', 'curl https://a.test/', '--bearer', 'x'],
      ['--curl', 'curl https://a.test/', 'https://a.test/'],
      ['--curl', 'curl https://a.test/', '--', 'curl', 'https://a.test/'],
      ['-X', 'POST', '--', 'curl', 'https://a.test/'],
      ['--', 'wget', 'https://a.test/'],
    ]) {
      const { code, stderr } = await gatehouse('doctor', ...args);
      assert.equal(code, 64, args.join(' '));
      assert.match(stderr, /^gatehouse doctor/, args.join(' '));
    }
  });
});

const OPAQUE_TOKEN = 'tok-1f2e3d4c5b6a79880716';

describe('gatehouse doctor on a trailing-slash redirect', () => {
  const serve = serverPerTest();
  // Django's APPEND_SLASH: /me is 301 to /me/, which takes a GET with the token.
  const api = () =>
    serve((req, res) => {
      if (req.url === '/me') {
        res.writeHead(301, { location: '/me/' });
        return res.end();
      }
      if (req.headers.authorization !== `Token ${OPAQUE_TOKEN}`)
        return json(res, 401, {}, { 'www-authenticate': 'Token' });
      return json(res, req.method === 'GET' ? 200 : 405, {});
    });

  it('a GET that works after the redirect: "it works after a redirect", the warning, exit 0', async () => {
    const server = await api();
    const { code, stdout, stderr } = await gatehouse(
      'doctor',
      `${server.origin}/me`,
      '-H',
      `Authorization: Token ${OPAQUE_TOKEN}`,
    );
    assert.equal(code, 0, stdout + stderr);
    assert.equal(stdout.split('\n')[0], `${server.origin}/me: 301 → 200, it works after a redirect`);
    assert.match(stdout, /\[trailing_slash_redirect\]/);
    assert.match(
      stdout,
      /✔ verified: with this change \(added the trailing slash: the same GET to \/me\/\) the server answers 200/,
    );
    assert.ok(!stdout.includes(OPAQUE_TOKEN), 'the token is masked');
  });

  it('a POST the redirect turned into a GET: "…, but …", exit 1', async () => {
    const server = await api();
    const { code, stdout, stderr } = await gatehouse(
      'doctor',
      `${server.origin}/me`,
      '-X',
      'POST',
      '--data',
      'a=1',
      '-H',
      `Authorization: Token ${OPAQUE_TOKEN}`,
    );
    assert.equal(code, 1, stdout + stderr);
    assert.match(
      stdout.split('\n')[0]!,
      /: 301 → 200, but the 301 redirect to the trailing-slash URL turned the POST into a GET/,
    );
    assert.match(stdout, /✘ tried \(added the trailing slash: the same POST to \/me\/\): the server answers 405/);
  });
});

describe('gatehouse doctor on a redirect from http to https on the same host', () => {
  const serve = serverPerTest();
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())));
  });

  it('the credentials dropped on the way are resent to the https origin, and that is verified', async () => {
    // The CLI runs with NODE_EXTRA_CA_CERTS, so the doctor's own certificate check stays on.
    const { cert, key } = selfSignedCertificate();
    const received: Array<string | undefined> = [];
    const secure = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
      received.push(req.headers.authorization);
      if (req.headers.authorization === `Bearer ${OPAQUE_TOKEN}`) return json(res, 200, { user: 'alice' });
      return json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' });
    });
    servers.push(secure);
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const secureOrigin = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
    const plain = await serve((_req, res) => {
      res.writeHead(301, { location: `${secureOrigin}/me` });
      res.end();
    });

    const { code, stdout, stderr } = await gatehouseWith(
      { NODE_EXTRA_CA_CERTS: cert },
      'doctor',
      `${plain.origin}/me`,
      '--bearer',
      OPAQUE_TOKEN,
      '--json',
    );
    assert.equal(code, 1, stdout + stderr);
    const report = JSON.parse(stdout);
    assert.deepEqual(
      report.findings.map((f: { code: string }) => f.code),
      ['auth_dropped_on_redirect'],
    );
    assert.deepEqual(report.findings[0].tried, {
      change: `sent the same request, credentials included, to ${secureOrigin}/me (the same host)`,
      verified: true,
      status: 200,
    });
    // The redirect followed without the token (401), then the proof with it (200).
    assert.deepEqual(received, [undefined, `Bearer ${OPAQUE_TOKEN}`]);
    assert.ok(!stdout.includes(OPAQUE_TOKEN), 'the token is masked');
  });
});

describe('doctor usage', () => {
  it('doctor --help prints the doctor usage and exits 0', async () => {
    const result = await gatehouse('doctor', '--help');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: gatehouse doctor <url>/);
    assert.match(result.stdout, /\nExit codes:\n {2}0 +it works\n {2}1 +a cause was named/);
    assert.equal(result.stderr, '');
  });

  it('documents --timeout, and every form: a URL, --curl, -- curl …, --har', async () => {
    const { stdout } = await gatehouse('doctor', '--help');
    assert.match(stdout, /^ {2}--timeout <seconds> +each request's time limit \(default 5\)$/m);
    for (const form of [
      'gatehouse doctor <url>',
      "gatehouse doctor --curl 'curl …'",
      'gatehouse doctor [options] -- curl …',
      'gatehouse doctor --har FILE',
    ])
      assert.ok(stdout.includes(form), form);
  });

  it('--basic without a colon is bad usage (64), said in one line, the value not echoed', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:9/', '--basic', 'alicewonderland');
    assert.equal(result.code, 64);
    assert.match(result.stderr.split('\n')[0]!, /^gatehouse doctor: --basic takes USER:PASS, with a colon/);
    assert.equal(
      result.stderr,
      'gatehouse doctor: --basic takes USER:PASS, with a colon between them (gatehouse doctor --help shows the usage)\n',
    );
    assert.doesNotMatch(result.stderr, /alicewonderland|\n\s+at /);
  });

  for (const args of [
    ['--har', 'no-such.har'],
    ['--timeout', 'abc', 'http://127.0.0.1:9/'],
    ['--timeout', '', 'http://127.0.0.1:9/'],
    ['--timeout', '0', 'http://127.0.0.1:9/'],
    ['--timeout', '0x10', 'http://127.0.0.1:9/'],
    ['--timeout', '1e3', 'http://127.0.0.1:9/'],
    ['http://127.0.0.1:9/', '--nope'],
    ['http://127.0.0.1:9/', '--replay'],
    ['http://127.0.0.1:9/', '--json', '--markdown'],
    [],
  ]) {
    it(`doctor ${args.join(' ')}: 64, in one line`, async () => {
      const result = await gatehouse('doctor', ...args);
      assert.equal(result.code, 64, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^gatehouse doctor: .* \(gatehouse doctor --help shows the usage\)\n$/);
      assert.equal(result.stdout, '');
    });
  }

  it('--timeout garbage says what it takes', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:9/', '--timeout', 'soon');
    assert.equal(
      result.stderr,
      'gatehouse doctor: --timeout takes seconds, a number above 0 (at most 2147483) (gatehouse doctor --help shows the usage)\n',
    );
  });

  const SECRET = 's3cret-Passw0rd-9f8e7d6c';
  for (const args of [
    [`alice:${SECRET}@api.example/me`],
    ['http://127.0.0.1:9/', SECRET],
    ['http://127.0.0.1:9/', '-H', `Bearer ${SECRET}`],
  ]) {
    it(`a usage mistake that holds a secret does not echo it (${args.length} arguments)`, async () => {
      const result = await gatehouse('doctor', ...args);
      assert.equal(result.code, 64, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.ok(!result.stderr.includes(SECRET) && !result.stdout.includes(SECRET), result.stderr);
    });
  }

  it('a header the library cannot send is bad usage (64), not "a cause was found" (1)', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:9/', '-X', 'GET POST');
    assert.equal(result.code, 64, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('-X takes an RFC 9110 method token: a space or a separator in it is bad usage, said so', async () => {
    for (const method of ['GE T', 'GET,POST', 'GET\r\nX: 1', '']) {
      const result = await gatehouse('doctor', 'http://127.0.0.1:9/', '-X', method);
      assert.equal(result.code, 64, JSON.stringify(method));
      assert.equal(
        result.stderr,
        'gatehouse doctor: -X takes an HTTP method, a token such as GET or POST (no spaces or separators) (gatehouse doctor --help shows the usage)\n',
      );
    }
  });
});

describe('gatehouse doctor --har on a file that is not what it should be', () => {
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'gh-har-')), 'odd.har');
    writeFileSync(path, text);
    return path;
  };

  for (const text of ['null', '{"log":{"entries":{}}}']) {
    it(`a file holding ${text}: exit 64, one line saying what is wrong, no TypeError`, async () => {
      const result = await gatehouse('doctor', '--har', file(text));
      assert.equal(result.code, 64, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^gatehouse doctor: \S+ has no log\.entries/);
      assert.doesNotMatch(result.stderr, /TypeError|\n\s+at /);
    });
  }

  it('a bad entry is named on stderr in one line and skipped; the rest is reported', async () => {
    const entries = [
      null,
      { request: { url: 'http://[x?access_token=s3cr3t' }, response: { status: 401 } },
      { request: { method: 'GET', url: 'https://api.example/me', headers: 'oops' }, response: { status: 401 } },
      { request: { method: 'GET', url: 'https://api.example/me' }, response: { status: 401, headers: [] } },
    ];
    const result = await gatehouse('doctor', '--json', '--har', file(JSON.stringify({ log: { entries } })));
    assert.equal(result.code, 1, result.stderr); // the 401 without a challenge is a cause named
    assert.deepStrictEqual(result.stderr.trim().split('\n'), [
      'gatehouse doctor: log.entries[0] (?) skipped: it is not an object',
      'gatehouse doctor: log.entries[1] (GET [unparseable URL]) skipped: request.url is not a URL',
      'gatehouse doctor: log.entries[2] (GET https://api.example/me) skipped: request.headers is not a list',
    ]);
    assert.equal(JSON.parse(result.stdout).length, 1);
    assert.ok(!result.stderr.includes('s3cr3t'));
  });
});
