/**
 * The report: its first line and exit code never contradict a finding (issue 15 point 8), an
 * unreachable endpoint exits 2, no secret is ever in it; and `gatehouse doctor` prints it in text,
 * JSON and Markdown with the same exit codes (64 for bad usage).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diagnose, exitCode, renderTerminal } from '../../src/doctor/index.ts';
import { doctorAt, refuse } from '../support/doctor-runs.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const run = doctorAt(serve);
const TOKEN = 'tok-9f8e7d6c5b4a39281706';
const main = join(import.meta.dirname, '../../src/cli/main.ts');

describe('doctor reports', () => {
  it('a working call exits 0 with no findings', async () => {
    const report = await run((_req, res) => json(res, 200, { ok: true }), { bearer: 'token-abcdefghijklmnop' });
    assert.deepStrictEqual([report.outcome, report.findings, exitCode(report)], ['success', [], 0]);
  });

  it('an unreachable endpoint says so, and exits 2', async () => {
    const report = await diagnose({ url: 'http://127.0.0.1:9/', timeoutMs: 2000 });
    assert.equal(report.outcome, 'unreachable');
    assert.match(String(report.exchanges[0]?.error), /connection refused/);
    assert.equal(exitCode(report), 2);
  });

  it('never contains a secret: tokens as first and last four characters, passwords never', async () => {
    const token = 'sk_live_0123456789abcdefghij_SECRETPART';
    const echo = (req: IncomingMessage, res: ServerResponse) =>
      refuse(res, 'Bearer realm="api"', 401, {
        you_sent: req.headers.authorization,
        access_token: 'leaked-token-value-000111',
      });
    const withToken = JSON.stringify(await run(echo, { bearer: token }));
    assert.ok(!withToken.includes(token) && !withToken.includes('SECRETPART'));
    assert.ok(withToken.includes('sk_l…PART'));
    assert.ok(!withToken.includes('leaked-token-value-000111'));
    const withPassword = JSON.stringify(await run(echo, { basic: 'alice:correct-horse-battery' }));
    assert.ok(!withPassword.includes('correct-horse-battery'));
    assert.ok(!withPassword.includes(Buffer.from('alice:correct-horse-battery').toString('base64')));
  });
});

describe('the headline and the exit code', () => {
  it('a 200 whose CORS preflight is refused is not "it works", and exits 1', async () => {
    const server = await serve((req, res) =>
      req.method === 'OPTIONS'
        ? json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' })
        : json(res, 200, {}, { 'access-control-allow-origin': 'https://app.example' }),
    );
    const report = await diagnose({
      url: `${server.origin}/me`,
      bearer: TOKEN,
      origin: 'https://app.example',
      timeoutMs: 3000,
    });
    assert.equal(report.outcome, 'success');
    assert.equal(report.findings[0]?.code, 'preflight_unauthorized');
    const first = renderTerminal(report).split('\n')[0]!;
    assert.doesNotMatch(first, /it works/);
    assert.match(first, /200, but the CORS preflight gets 401/);
    assert.equal(exitCode(report), 1);
  });

  it('no rule fits: exit 2, and the exchanges are printed, masked', async () => {
    const server = await serve((_req, res) => json(res, 418, { detail: 'teapot', echo: TOKEN }));
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 3000 });
    assert.equal(exitCode(report), 2);
    const text = renderTerminal(report);
    assert.match(text.split('\n')[0]!, /418, and no known cause fits/);
    assert.match(text, /> GET http:\/\/127\.0\.0\.1:\d+\/me {2}\(as-given\)/);
    assert.match(text, /> GET .* {2}\(without-credentials\)/);
    assert.match(text, /< 418 I'm a Teapot/i);
    assert.match(text, /teapot/);
    assert.ok(!text.includes(TOKEN), 'the echoed token is scrubbed');
  });

  it('no answer at all exits 2', async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const origin = server.origin;
    await server.close();
    const report = await diagnose({ url: `${origin}/me`, timeoutMs: 2000 });
    assert.equal(report.outcome, 'unreachable');
    assert.equal(exitCode(report), 2);
  });
});

describe('gatehouse doctor CLI', () => {
  // Asynchronous: the servers answering the doctor live in this process.
  const doctor = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      execFile(process.execPath, [main, 'doctor', ...args], { timeout: 30_000 }, (error, stdout) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }),
      );
    });

  it('exits 1 with a report when a cause is found, in text, JSON and Markdown', async () => {
    const server = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' }));
    const text = await doctor(`${server.origin}/me`);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /401 — The request carries no credentials/);
    assert.match(text.stdout, /\[credentials_missing\]/);
    const asJson = JSON.parse((await doctor(`${server.origin}/me`, '--json')).stdout);
    assert.deepStrictEqual(Object.keys(asJson), ['url', 'outcome', 'status', 'findings', 'exchanges']);
    assert.match((await doctor(`${server.origin}/me`, '--markdown')).stdout, /^### Gatehouse doctor:/);
  });

  it('exits 0 when it works, 2 when nothing explains a failure, 64 for bad usage', async () => {
    const ok = await serve((_req, res) => json(res, 200, {}));
    assert.equal((await doctor(`${ok.origin}/`)).status, 0);
    const odd = await serve((_req, res) => json(res, 418, {}));
    assert.equal((await doctor(`${odd.origin}/`)).status, 2);
    for (const args of [
      [],
      ['not a url'],
      ['http://x/', '--bearer', 'a', '--basic', 'b:c'],
      ['http://x/', '-H', 'no-colon'],
      ['http://x/', '--json', '--markdown'],
    ]) {
      assert.equal((await doctor(...args)).status, 64, args.join(' '));
    }
  });
});
