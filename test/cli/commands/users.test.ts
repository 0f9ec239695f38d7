import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { openStore, verifyPassword } from '../../../src/server/index.ts';
import { gatehouseOn, newStore } from '../../support/cli.ts';

describe('gatehouse users', () => {
  it('adds a user with the password from stdin, stored only as an argon2id hash; lists, changes, removes', async () => {
    const { url, file } = newStore();
    assert.equal(
      gatehouseOn(url, ['users', 'add', 'alice', '--scope', 'read', '--role', 'admin'], 'first-password\n').code,
      0,
    );
    assert.ok(!readFileSync(file).includes('first-password'), 'the password is not in the database');
    const listed = gatehouseOn(url, ['users', 'list']);
    assert.match(listed.stdout, /^USERNAME +ID +SCOPES +ROLES\nalice +u_[0-9a-f-]{36} +read +admin\n$/);
    assert.ok(!listed.stdout.includes('$argon2id'), 'hashes are not listed');
    assert.equal(gatehouseOn(url, ['users', 'passwd', 'alice'], 'second-password').code, 0);
    const store = await openStore(url);
    const user = await store.users.findUserByName('alice');
    assert.equal(await verifyPassword('second-password', user!.passwordHash), true);
    assert.equal(await verifyPassword('first-password', user!.passwordHash), false);
    await store.close();
    assert.equal(gatehouseOn(url, ['users', 'remove', 'alice']).code, 0);
    assert.equal(gatehouseOn(url, ['users', 'list']).stdout, 'USERNAME  ID  SCOPES  ROLES\n');
  });

  it('says what is wrong: an existing user, a short password, a missing name, an unknown action', () => {
    const { url } = newStore();
    gatehouseOn(url, ['users', 'add', 'bob'], 'long-enough-1');
    const again = gatehouseOn(url, ['users', 'add', 'bob'], 'long-enough-2');
    assert.deepStrictEqual(
      [again.code, again.stderr.trim()],
      [1, 'gatehouse users add: bob exists already; use users passwd to change the password'],
    );
    assert.equal(gatehouseOn(url, ['users', 'add', 'carol'], 'short').code, 1);
    assert.equal(gatehouseOn(url, ['users', 'add']).code, 64);
    assert.equal(gatehouseOn(url, ['users', 'frob']).code, 64);
    assert.equal(gatehouseOn(url, ['users', 'list', '--nope']).code, 64);
    assert.equal(gatehouseOn(url, ['users', 'remove', 'nobody']).code, 1);
  });
});

describe('gatehouse users: a password read from a pipe is one line', () => {
  const PASSWORD = 'the-first-password';
  async function storeWithAlice() {
    const { url } = newStore();
    assert.equal(gatehouseOn(url, ['users', 'add', 'alice'], `${PASSWORD}\n`).code, 0);
    return url;
  }
  async function passwordStill(url: string, password: string) {
    const store = await openStore(url);
    const user = await store.users.findUserByName('alice');
    await store.close();
    return verifyPassword(password, user!.passwordHash);
  }

  it('`users list | users passwd alice`: the table is refused in one line, nothing changed', async () => {
    const url = await storeWithAlice();
    const table = gatehouseOn(url, ['users', 'list']).stdout;
    assert.ok(table.trim().includes('\n'), 'the table has several lines');
    const result = gatehouseOn(url, ['users', 'passwd', 'alice'], table);
    assert.equal(result.code, 1);
    assert.deepStrictEqual(result.stderr.trim().split('\n'), [
      'gatehouse users passwd: the password holds a line break; give it alone, on one line',
    ]);
    assert.ok(!result.stderr.includes('USERNAME'), 'what was read is not echoed');
    assert.equal(await passwordStill(url, PASSWORD), true);
  });

  for (const [what, input] of [
    ['a line break in the middle', 'first-line\nsecond-line\n'],
    ['a carriage return in the middle', 'first-line\rsecond-line'],
    ['over 1 KiB', `${'x'.repeat(1025)}\n`],
    ['10 MB', 'y'.repeat(10_000_000)],
  ] as const) {
    it(`a password with ${what} is refused by passwd and by add, in one line, and not stored`, async () => {
      const url = await storeWithAlice();
      const passwd = gatehouseOn(url, ['users', 'passwd', 'alice'], input);
      assert.equal(passwd.code, 1);
      assert.equal(passwd.stderr.trim().split('\n').length, 1, passwd.stderr);
      assert.equal(await passwordStill(url, PASSWORD), true);
      const add = gatehouseOn(url, ['users', 'add', 'bob'], input);
      assert.equal(add.code, 1);
      assert.equal(add.stderr.trim().split('\n').length, 1, add.stderr);
      assert.doesNotMatch(gatehouseOn(url, ['users', 'list']).stdout, /bob/);
    });
  }

  it('a password of exactly 1 KiB, with the one newline a shell adds, is taken', async () => {
    const url = await storeWithAlice();
    const long = 'z'.repeat(1024);
    assert.equal(gatehouseOn(url, ['users', 'passwd', 'alice'], `${long}\r\n`).code, 0);
    assert.equal(await passwordStill(url, long), true);
  });
});
