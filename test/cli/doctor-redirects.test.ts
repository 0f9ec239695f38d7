/** `gatehouse doctor` on a redirect: its first line and exit code (issue 15 points 5 and 8). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { selfSignedCertificate } from '../support/self-signed.ts';
import { json, serverPerTest } from '../support/server.ts';

const main = join(import.meta.dirname, '../../src/cli/main.ts');
const TOKEN = 'tok-1f2e3d4c5b6a79880716';

/** The CLI as a child process; async, so the loopback server in this process keeps answering. */
const gatehouse = (...args: string[]) => gatehouseWith({}, ...args);

function gatehouseWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('gatehouse doctor on a trailing-slash redirect', () => {
  const serve = serverPerTest();
  // Django's APPEND_SLASH: /me is 301 to /me/, which takes a GET with the token.
  const api = () =>
    serve((req, res) => {
      if (req.url === '/me') {
        res.writeHead(301, { location: '/me/' });
        return res.end();
      }
      if (req.headers.authorization !== `Token ${TOKEN}`) return json(res, 401, {}, { 'www-authenticate': 'Token' });
      return json(res, req.method === 'GET' ? 200 : 405, {});
    });

  it('a GET that works after the redirect: "it works after a redirect", the warning, exit 0', async () => {
    const server = await api();
    const { code, stdout, stderr } = await gatehouse(
      'doctor',
      `${server.origin}/me`,
      '-H',
      `Authorization: Token ${TOKEN}`,
    );
    assert.equal(code, 0, stdout + stderr);
    assert.equal(stdout.split('\n')[0], `${server.origin}/me: 301 → 200, it works after a redirect`);
    assert.match(stdout, /\[trailing_slash_redirect\]/);
    assert.match(
      stdout,
      /✔ verified: with this change \(added the trailing slash: the same GET to \/me\/\) the server answers 200/,
    );
    assert.ok(!stdout.includes(TOKEN), 'the token is masked');
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
      `Authorization: Token ${TOKEN}`,
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
      if (req.headers.authorization === `Bearer ${TOKEN}`) return json(res, 200, { user: 'alice' });
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
      TOKEN,
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
    assert.deepEqual(received, [undefined, `Bearer ${TOKEN}`]);
    assert.ok(!stdout.includes(TOKEN), 'the token is masked');
  });
});
