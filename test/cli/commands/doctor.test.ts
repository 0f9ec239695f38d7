/** `gatehouse doctor --curl '…'` and `gatehouse doctor -- curl …`: the pasted request, probed as given. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouse } from '../../support/cli.ts';
import { unsignedJwt } from '../../support/jwt.ts';
import { json, serverPerTest, type TestServer } from '../../support/server.ts';

/** The CLI as a child process; async, so the loopback server in this process keeps answering. */

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
