/** createLoginProtection refuses a backend it cannot use at once, saying which shapes it takes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoginProtection, INVALID_ARGUMENT, type LoginProtectionOptions } from '../../src/server/index.ts';

describe('createLoginProtection options', () => {
  const wrong: Array<[string, unknown]> = [
    ['no backend', {}],
    ['a string', { backend: 'memory' }],
    ['a store URL for redis', { backend: { redis: 'redis://127.0.0.1:6379' } }],
    ['a file path for sqlite', { backend: { sqlite: './gatehouse.db' } }],
    ['a connection string for postgres', { backend: { postgres: 'postgres://127.0.0.1/test' } }],
    ['memory: false', { backend: { memory: false } }],
    ['an unknown key', { backend: { mongo: {} } }],
  ];
  for (const [what, options] of wrong) {
    it(`refuses ${what} with a coded TypeError naming backend and its shapes`, async () => {
      await assert.rejects(
        createLoginProtection(options as LoginProtectionOptions),
        (error: Error & { code?: string }) => {
          assert.ok(error instanceof TypeError);
          assert.equal(error.code, INVALID_ARGUMENT);
          assert.match(error.message, /^createLoginProtection: backend must be /);
          for (const shape of [
            '{ memory: true }',
            '{ sqlite: DatabaseSync }',
            '{ postgres: pg.Pool }',
            '{ redis: Redis }',
          ])
            assert.ok(error.message.includes(shape), `${error.message} names ${shape}`);
          return true;
        },
      );
    });
  }

  it('takes { memory: true }', async () => {
    const protection = await createLoginProtection({ backend: { memory: true } });
    assert.equal(await protection.check('ann', '10.0.0.1'), undefined);
  });
});
