import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diagnoseHar, HarError, inspectToken } from '../../src/doctor/index.ts';
import { unsignedJwt } from '../support/jwt.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const main = join(import.meta.dirname, '../../src/cli/main.ts');
const jwt = (header: object, payload: object) => unsignedJwt(header, payload, 'c2ln');

function harFile(entries: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gh-har-')), 'session.har');
  writeFileSync(file, JSON.stringify({ log: { version: '1.2', entries } }));
  return file;
}

const entry = (
  url: string,
  status: number,
  requestHeaders: Array<[string, string]>,
  responseHeaders: Array<[string, string]>,
) => ({
  request: { method: 'GET', url, headers: requestHeaders.map(([name, value]) => ({ name, value })) },
  response: {
    status,
    statusText: status === 401 ? 'Unauthorized' : 'OK',
    headers: responseHeaders.map(([name, value]) => ({ name, value })),
    content: { text: '' },
  },
});

describe('doctor --har', () => {
  it('diagnoses every 401 and 403 in a HAR from the recorded exchange, sending nothing', async () => {
    const token = jwt({ alg: 'HS256' }, { sub: 'u', exp: Math.floor(Date.now() / 1000) - 120 });
    const file = harFile([
      entry('https://api.example/ok', 200, [], []),
      entry(
        'https://api.example/me',
        401,
        [['Authorization', `Bearer ${token}`]],
        [
          ['WWW-Authenticate', 'Bearer error="invalid_token"'],
          ['Date', new Date().toUTCString()],
        ],
      ),
      entry('https://api.example/admin', 403, [], [['Content-Type', 'application/json']]),
    ]);
    const reports = await diagnoseHar(file);
    assert.equal(reports.length, 2);
    assert.equal(reports[0]?.findings[0]?.code, 'token_expired');
    assert.equal(reports[1]?.findings[0]?.code, 'forbidden_instead_of_401');
    assert.ok(
      reports.every((r) => r.exchanges.every((e) => e.probe === 'har')),
      'nothing was sent',
    );
    assert.ok(!JSON.stringify(reports).includes(token));
  });

  it('replays the requests when asked', async () => {
    const server = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' }));
    const reports = await diagnoseHar(harFile([entry(`${server.origin}/me`, 401, [], [])]), { replay: true });
    assert.equal(reports[0]?.exchanges[0]?.probe, 'as-given');
    assert.equal(server.received.length, 1);
  });

  it('says what is wrong with a file that is not a HAR', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-har-')), 'x.har');
    writeFileSync(file, 'not json');
    await assert.rejects(diagnoseHar(file), (e: Error) => e instanceof HarError && /Save all as HAR/.test(e.message));
    await assert.rejects(diagnoseHar('/nonexistent.har'), /does not exist/);
  });
});

describe('token inspect', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  it('decodes header and claims and flags expiry against a given server Date', () => {
    const token = jwt({ alg: 'HS256', kid: 'k1' }, { sub: 'u', iat: now / 1000 - 600, exp: now / 1000 - 60 });
    const inspection = inspectToken(token, { now: now + 3_600_000, serverDate: new Date(now).toUTCString() })!;
    assert.deepStrictEqual(inspection.header, { alg: 'HS256', kid: 'k1' });
    assert.deepStrictEqual(
      inspection.times.map((t) => [t.claim, t.server]),
      [
        ['iat', '10 min ago'],
        ['exp', '1 min ago'],
      ],
    );
    assert.deepStrictEqual(
      inspection.flags.map((f) => f.code),
      ['token_expired'],
    );
  });

  it('flags no exp, alg none, and a weak HMAC key', () => {
    assert.deepStrictEqual(
      inspectToken(jwt({ alg: 'none' }, { sub: 'u' }))!.flags.map((f) => f.code),
      ['alg_none', 'no_exp'],
    );
    const weak = inspectToken(jwt({ alg: 'HS256' }, { sub: 'u', exp: 9e9 }), { key: 'short-secret' })!;
    assert.deepStrictEqual(
      weak.flags.map((f) => f.code),
      ['weak_hmac_key'],
    );
    assert.equal(inspectToken('not-a-jwt'), undefined);
  });

  it('the CLI prints it and never contacts anything', () => {
    const token = jwt({ alg: 'RS256' }, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 600 });
    const result = spawnSync(process.execPath, [main, 'token', 'inspect', token], { encoding: 'utf8' });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /nothing to flag/);
    const bad = spawnSync(process.execPath, [main, 'token', 'inspect', 'opaque'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
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
