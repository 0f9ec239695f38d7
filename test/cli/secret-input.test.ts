/**
 * A password typed at a prompt (a terminal: support/terminal.ts) or given on stdin. Ctrl-C at the
 * prompt ends the run with one line, "cancelled", and exit 130, as an interrupted program does;
 * a closed stdin is an empty password, refused in one line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore, verifyPassword } from '../../src/server/index.ts';
import { gatehouseOn, gatehouseSync, newStore } from '../support/cli.ts';
import { gatehouseAtTerminal } from '../support/terminal.ts';

describe('the password prompt', () => {
  it('Ctrl-C at users add: "cancelled", exit 130, no stack trace, no user added', async () => {
    const { url } = newStore();
    const { code, shown } = await gatehouseAtTerminal(
      ['users', 'add', 'bob', '--store', url],
      'password for bob: ',
      'abc\u0003',
    );
    assert.equal(code, 130, shown);
    assert.equal(shown, 'password for bob: \ngatehouse users add: cancelled\n');
    const store = await openStore(url);
    assert.equal(await store.users.findUserByName('bob'), undefined);
    await store.close();
  });

  it('Ctrl-C at users passwd: "cancelled", exit 130, the password unchanged', async () => {
    const { url } = newStore();
    assert.equal(gatehouseOn(url, ['users', 'add', 'carol'], 'first-password').code, 0);
    const { code, shown } = await gatehouseAtTerminal(
      ['users', 'passwd', 'carol', '--store', url],
      'new password for carol: ',
      '\u0003',
    );
    assert.equal(code, 130, shown);
    assert.equal(shown, 'new password for carol: \ngatehouse users passwd: cancelled\n');
    const store = await openStore(url);
    assert.equal(
      await verifyPassword('first-password', (await store.users.findUserByName('carol'))!.passwordHash),
      true,
    );
    await store.close();
  });

  it('typed at the prompt, not echoed, it is the password', async () => {
    const { url } = newStore();
    const { code, shown } = await gatehouseAtTerminal(
      ['users', 'add', 'dave', '--store', url],
      'password for dave: ',
      'typed-secret-1\r',
    );
    assert.equal(code, 0, shown);
    assert.equal(shown, 'password for dave: \nadded dave\n');
  });

  it('a closed stdin is an empty password: refused in one line, exit 1, nothing changed', async () => {
    const { url } = newStore();
    assert.equal(gatehouseOn(url, ['users', 'add', 'erin'], 'first-password').code, 0);
    for (const action of ['add', 'passwd']) {
      const { code, stdout, stderr } = gatehouseSync(
        ['users', action, action === 'add' ? 'frank' : 'erin', '--store', url],
        {
          input: '',
        },
      );
      assert.deepEqual(
        [code, stdout, stderr],
        [
          1,
          '',
          `gatehouse users ${action}: no password was given (stdin was empty); type it, or pipe it on one line, at least 8 characters\n`,
        ],
      );
    }
    const store = await openStore(url);
    assert.equal(await store.users.findUserByName('frank'), undefined);
    assert.equal(
      await verifyPassword('first-password', (await store.users.findUserByName('erin'))!.passwordHash),
      true,
    );
    await store.close();
  });
});
