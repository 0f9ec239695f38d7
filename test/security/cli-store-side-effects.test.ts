/**
 * Inputs an adversarial review found mishandled: a refused password must leave no store behind,
 * and a username that cannot sign in (empty, a line break, a colon) is refused, not stored.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gatehouseOn, newStore } from '../support/cli.ts';

describe('users add with a password it refuses', () => {
  for (const [what, input] of [
    ['too short', 'short\n'],
    ['two lines', 'first-line-long\nsecond-line\n'],
    ['empty', ''],
  ] as const) {
    it(`${what}: exit 1 and no store file or folder created`, () => {
      const folder = join(mkdtempSync(join(tmpdir(), 'gh-adv-')), 'no');
      const file = join(folder, 'such', 'x.db');
      const result = gatehouseOn(`sqlite:${file}`, ['users', 'add', 'alice'], input);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.ok(!existsSync(folder), 'no folder was created');
    });
  }

  it('a user who exists already is still named before any password is read', () => {
    const { url } = newStore();
    assert.equal(gatehouseOn(url, ['users', 'add', 'alice'], 'a-password-long-enough').code, 0);
    const again = gatehouseOn(url, ['users', 'add', 'alice'], 'x');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /alice exists already/);
  });
});

describe('users add with a username no one can sign in with', () => {
  for (const [what, name] of [
    ['empty', ''],
    ['a line break', 'bob\nadded mallory'],
    ['a control character', 'bob\u0007'],
    // RFC 7617 §2: a user-id holding a colon cannot be carried by Basic.
    ['a colon', 'a:b'],
  ] as const) {
    it(`${what}: bad usage (64), one line that does not repeat it, nothing created`, () => {
      const { url, file } = newStore();
      const result = gatehouseOn(url, ['users', 'add', name], 'a-password-long-enough');
      assert.equal(result.code, 64, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.ok(!existsSync(file), 'no store was created');
    });
  }
});
