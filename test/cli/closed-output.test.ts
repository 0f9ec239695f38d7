/**
 * Output to a reader that went away (`gatehouse users passwd alice | true`): one line on stderr,
 * no EPIPE stack trace, and the exit code of the work done.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore, verifyPassword } from '../../src/server/index.ts';
import { gatehouseOn, gatehouseWithClosedStdout, newStore } from '../support/cli.ts';

describe('a closed standard output', () => {
  it('users passwd: the password is changed, one line says the output was lost, exit 0', async () => {
    const { url } = newStore();
    assert.equal(gatehouseOn(url, ['users', 'add', 'alice'], 'first-password').code, 0);
    const result = await gatehouseWithClosedStdout(['users', 'passwd', 'alice', '--store', url], 'second-password\n');
    assert.deepEqual(result, {
      code: 0,
      signal: null,
      stderr: 'gatehouse users passwd: standard output was closed (EPIPE), so its output was not all written\n',
    });
    const store = await openStore(url);
    const user = await store.users.findUserByName('alice');
    assert.equal(await verifyPassword('second-password', user!.passwordHash), true);
    await store.close();
  });

  it('help to a closed pipe ends quietly too', async () => {
    const result = await gatehouseWithClosedStdout(['doctor', '--help'], '');
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stderr, /\n\s+at |Error/);
  });
});
