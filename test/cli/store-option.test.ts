/**
 * `--store`: a command that reads never creates a store (a typo in the path is "no store at …",
 * not an empty list); a command that writes creates one only once its arguments are valid.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gatehouseOn, gatehouseSync } from '../support/cli.ts';

/** A store URL under folders that do not exist, and the first of them. */
function missing(): { url: string; folder: string; file: string } {
  const folder = join(mkdtempSync(join(tmpdir(), 'gh-nostore-')), 'no');
  const file = join(folder, 'such', 'dir', 'x.db');
  return { url: `sqlite:${file}`, folder, file };
}

const READING: string[][] = [
  ['users', 'list'],
  ['users', 'remove', 'alice'],
  ['users', 'passwd', 'alice'],
  ['users', 'revoke-sessions', 'alice'],
  ['keys', 'list'],
  ['keys', 'revoke', 'abc'],
  ['keys', 'rotate', 'abc'],
  ['clients', 'list'],
  ['clients', 'remove', 'app'],
];

describe('--store on a store that does not exist', () => {
  for (const args of READING) {
    it(`${args.join(' ')}: "no store at …" in one line, exit 1, nothing created`, () => {
      const { url, folder } = missing();
      const result = gatehouseOn(url, args, 'a-password-long-enough');
      assert.equal(result.code, 1, result.stderr);
      assert.deepStrictEqual(result.stderr.trim().split('\n'), [
        `gatehouse ${args[0]} ${args[1]}: no store at ${url} (the file does not exist; users add, keys create and clients add create one)`,
      ]);
      assert.equal(result.stdout, '');
      assert.ok(!existsSync(folder), 'no folder was created');
    });
  }

  it('the same for $GATEHOUSE_STORE and for the default ./gatehouse.db', () => {
    const { url, folder } = missing();
    const viaEnv = gatehouseSync(['users', 'list'], { env: { GATEHOUSE_STORE: url } });
    assert.equal(viaEnv.code, 1, viaEnv.stderr);
    assert.ok(!existsSync(folder));
    const cwd = mkdtempSync(join(tmpdir(), 'gh-cwd-'));
    const viaDefault = gatehouseSync(['keys', 'list'], { cwd, env: { GATEHOUSE_STORE: '' } });
    assert.equal(viaDefault.code, 1, viaDefault.stderr);
    assert.match(viaDefault.stderr, /^gatehouse keys list: no store at sqlite:gatehouse\.db \(/);
    assert.deepStrictEqual(readdirSync(cwd), []);
  });
});

describe('a command that writes creates the store only after its arguments are valid', () => {
  for (const args of [
    ['users', 'frobnicate'],
    ['users', 'add'],
    ['keys', 'create'],
    ['keys', 'create', '--id', 'svc', '--expires', 'soon'],
    ['keys', 'frobnicate'],
    ['clients', 'add', 'not a valid id!'],
    ['clients', 'add', 'app', '--grant', 'implicit'],
    ['clients', 'add', 'spa', '--public', '--grant', 'client_credentials'],
  ]) {
    it(`${args.join(' ')}: bad usage (64), nothing created`, () => {
      const { url, folder } = missing();
      const result = gatehouseOn(url, args);
      assert.equal(result.code, 64, result.stderr);
      assert.ok(!existsSync(folder), 'no folder was created');
    });
  }

  for (const args of [
    ['users', 'add', 'alice'],
    ['keys', 'create', '--id', 'svc'],
    ['clients', 'add', 'app'],
  ]) {
    it(`${args.join(' ')}: creates the store, folders included`, () => {
      const { url, file } = missing();
      const result = gatehouseOn(url, args, 'a-password-long-enough');
      assert.equal(result.code, 0, result.stderr);
      assert.ok(existsSync(file));
    });
  }
});

describe('--store that names no kind of store', () => {
  it('is bad usage: one line naming the kinds, exit 64, nothing created', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gh-badstore-'));
    for (const url of ['mysql://db.example/app', 'app.db']) {
      const result = gatehouseSync(['users', 'list', '--store', url], { cwd });
      assert.equal(result.code, 64, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(
        result.stderr,
        /^gatehouse users list: unknown store URL "[^"]*"; use sqlite:PATH, postgres:\/\/… or memory: \(gatehouse users list --help shows the usage\)\n$/,
      );
    }
    assert.deepStrictEqual(readdirSync(cwd), []);
  });
});
