/** The guard's options, checked once at creation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuard } from '../../src/server/index.ts';

describe('configuration', () => {
  it('rejects a guard without schemes', () => {
    assert.throws(() => createGuard({ schemes: [] }), { code: 'ERR_GATEHOUSE_INVALID_ARGUMENT' });
  });
});
