/** Diagnosing a HAR file exported from browser devtools: every 401 and 403 from the recorded exchange, nothing sent unless asked. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diagnoseHar, HarError } from '../../src/doctor/index.ts';
import { unsignedJwt } from '../support/jwt.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
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
