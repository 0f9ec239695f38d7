/** Diagnosing a HAR file exported from browser devtools: every 401 and 403 from the recorded exchange, nothing sent unless asked. */
import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diagnoseHar, HarError, type HarSkip, MAX_HAR_BYTES } from '../../src/doctor/index.ts';
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

/** A file holding exactly `text`. */
function rawFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gh-har-')), 'odd.har');
  writeFileSync(file, text);
  return file;
}

describe('doctor --har on files that are not what they should be', () => {
  for (const text of ['null', '[]', '"a string"', '42', '{"log":null}', '{"log":{"entries":{}}}', '{"log":[]}']) {
    it(`a file holding ${text} is a HarError saying it has no log.entries, in one line`, async () => {
      await assert.rejects(
        diagnoseHar(rawFile(text)),
        (e: Error) =>
          e instanceof HarError &&
          e.code === 'ERR_GATEHOUSE_HAR' &&
          /has no log\.entries/.test(e.message) &&
          !e.message.includes('\n'),
      );
    });
  }

  it('a file larger than the limit is refused without being read whole (and /dev/zero ends)', async () => {
    const file = rawFile('');
    truncateSync(file, MAX_HAR_BYTES + 1);
    await assert.rejects(
      diagnoseHar(file),
      (e: Error) => e instanceof HarError && /larger than 64 MiB/.test(e.message),
    );
    await assert.rejects(
      diagnoseHar('/dev/zero'),
      (e: Error) => e instanceof HarError && /larger than 64 MiB/.test(e.message),
    );
  });

  it('a folder is a HarError, not EISDIR', async () => {
    await assert.rejects(diagnoseHar(tmpdir()), (e: Error) => e instanceof HarError && /is a folder/.test(e.message));
  });

  it('skips each entry it cannot read with a note naming it (index, method, masked URL), and reports the rest', async () => {
    const good = entry('https://api.example/me', 401, [], [['WWW-Authenticate', 'Bearer realm="api"']]);
    const odd = (patch: object) => ({ ...good, ...patch });
    const file = harFile([
      null,
      42,
      odd({ response: { status: '401' } }),
      odd({ request: { method: 'GET', url: 'https://api.example/me', headers: 'oops' } }),
      odd({ response: { status: 401, headers: 'oops' } }),
      odd({ request: { method: 'GET', url: 'http://[not a host/?access_token=s3cr3t-in-url', headers: [] } }),
      odd({ request: { method: 'POST', headers: [] } }),
      odd({ request: { method: 7, url: 'https://api.example/me?api_key=s3cr3t-key', headers: [] } }),
      odd({ request: { method: 'GET', url: 'https://api.example/me', headers: [null, 3, { name: 'X' }] } }),
      entry('https://api.example/ok', 200, [], []),
      { response: { status: 0 } },
      good,
    ]);
    const notes: HarSkip[] = [];
    const reports = await diagnoseHar(file, { onSkip: (note) => notes.push(note) });
    assert.equal(reports.length, 2, 'the entry with odd header items and the good one are reported');
    assert.deepStrictEqual(
      notes.map((n) => [n.index, n.request, n.reason]),
      [
        [0, '?', 'it is not an object'],
        [1, '?', 'it is not an object'],
        [2, 'GET https://api.example/me', 'response.status is not a number'],
        [3, 'GET https://api.example/me', 'request.headers is not a list'],
        [4, 'GET https://api.example/me', 'response.headers is not a list'],
        [5, 'GET [unparseable URL]', 'request.url is not a URL'],
        [6, 'POST ?', 'request.url is missing'],
        [7, '? https://api.example/me?api_key=…', 'request.method is not a string'],
      ],
    );
    assert.ok(!JSON.stringify(notes).includes('s3cr3t'), 'no secret of a URL reaches a note');
    for (const note of notes) assert.match(note.message, /^log\.entries\[\d+\] \(.+\) skipped: .+$/);
  });

  it('under replay, a wss:// entry is skipped with a note and the rest replayed', async () => {
    const server = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' }));
    const notes: HarSkip[] = [];
    const reports = await diagnoseHar(
      harFile([entry('wss://api.example/socket?token=s3cr3t', 401, [], []), entry(`${server.origin}/me`, 401, [], [])]),
      { replay: true, onSkip: (note) => notes.push(note) },
    );
    assert.equal(reports.length, 1);
    assert.equal(server.received.length, 1);
    assert.deepStrictEqual(
      notes.map((n) => [n.index, n.request, n.reason]),
      [[0, 'GET wss://api.example/socket?token=…', 'only http and https URLs can be replayed']],
    );
  });
});
