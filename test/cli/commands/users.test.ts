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
