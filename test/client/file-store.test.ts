import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileTokenStore, TokenFileError } from '../../src/client/file-store.ts';
import type { Token } from '../../src/client/index.ts';
import { json, startServer } from '../support/server.ts';

const token = (n: number): Token => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresAt: 1_900_000_000_000 + n,
  tokenType: 'Bearer',
});

describe('fileTokenStore', () => {
  it('writes the file with mode 0600 and leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-'));
    const store = fileTokenStore(join(dir, 'tokens.json'));
    for (let i = 0; i < 5; i++) await store.set('default', token(i));
    assert.equal(statSync(join(dir, 'tokens.json')).mode & 0o777, 0o600);
    assert.deepStrictEqual(readdirSync(dir), ['tokens.json']);
    assert.equal(JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')).tokens.default.accessToken, 'access-4');
  });

  it('says which file is broken and what to do, instead of losing tokens silently', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-')), 'tokens.json');
    writeFileSync(file, '{"version": 1, "tokens": {');
    const error = await fileTokenStore(file)
      .get('default')
      .catch((e: unknown) => e);
    assert.ok(error instanceof TokenFileError);
    assert.equal(error.code, 'ERR_GATEHOUSE_TOKEN_FILE');
    assert.match(error.message, /not a Gatehouse token file; delete it/);
  });

  it('takes over a lock whose holder died, at once, and one left empty by a crash, within a moment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-'));
    const file = join(dir, 'tokens.json');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: dead, at: Date.now(), id: 'crashed' }));
    const store = fileTokenStore(file, { lockTimeoutMs: 5000 });
    let started = Date.now();
    assert.equal(await store.lock!('default', async () => 'ran'), 'ran');
    assert.ok(Date.now() - started < 1000, 'a dead holder is seen at once, not after the stale age');

    writeFileSync(`${file}.lock`, '');
    started = Date.now();
    assert.equal(await store.lock!('default', async () => 'ran'), 'ran');
    assert.ok(Date.now() - started < 4000, 'an empty lock is taken over well before the lock timeout');
    assert.deepStrictEqual(readdirSync(dir), [], 'the lock and its drafts are gone');
  });

  it('waits for a live holder, then says which lock file to delete', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-')), 'tokens.json');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.pid, at: Date.now(), id: 'alive' }));
    const error = await fileTokenStore(file, { lockTimeoutMs: 200 }).lock!('default', async () => 'ran').catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof TokenFileError);
    assert.match(error.message, /Timed out after 200 ms waiting for .*tokens\.json\.lock; .*delete the lock file/);
  });

  it('two processes that need a new token at once make one refresh between them', async () => {
    let issued = 0;
    const server = await startServer((_req, res) =>
      json(res, 200, { access_token: `tok-${++issued}`, expires_in: 3600 }),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'gh-')), 'tokens.json');
    await fileTokenStore(file).set('default', { accessToken: 'stale' });
    const worker = join(import.meta.dirname, '../support/file-store-worker.ts');
    const children = [0, 1].map(() =>
      spawn(process.execPath, [worker, file, `${server.origin}/token`, 'stale'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<{ ready: Promise<void>; token: Promise<Token> }>((resolve) => {
          let out = '';
          let markReady: () => void;
          const ready = new Promise<void>((r) => {
            markReady = r;
          });
          const token = new Promise<Token>((done) => {
            child.stdout!.on('data', (chunk) => {
              out += chunk;
              if (out.startsWith('ready\n')) markReady();
            });
            child.on('exit', () => done(JSON.parse(out.slice('ready\n'.length)) as Token));
          });
          resolve({ ready, token });
        }),
    );
    const handles = await Promise.all(outputs);
    await Promise.all(handles.map((h) => h.ready));
    for (const child of children) child.stdin!.end('go\n');
    const tokens = await Promise.all(handles.map((h) => h.token));
    await server.close();
    assert.equal(issued, 1, 'one refresh for both processes');
    assert.deepStrictEqual(
      tokens.map((t) => t.accessToken),
      ['tok-1', 'tok-1'],
    );
  });
});
