import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthorizationCodeStoreFullError, memoryAuthorizationCodes } from '../../src/server/index.ts';
import { code, NOW } from '../support/code-behaviour.ts';

describe('memory authorization codes, bounded', () => {
  it('when full of codes still kept, refuses a new one rather than forget one, until one is past keepUntil', async () => {
    const codes = memoryAuthorizationCodes({ maxEntries: 3 });
    await codes.insertAuthorizationCode(code(1, { keepUntil: NOW + 1_000 }));
    await codes.insertAuthorizationCode(code(2));
    await codes.insertAuthorizationCode(code(3));
    const full = await codes.insertAuthorizationCode(code(4)).catch((error: unknown) => error);
    assert.ok(full instanceof AuthorizationCodeStoreFullError, 'refused');
    assert.equal(full.code, 'ERR_GATEHOUSE_AUTHORIZATION_CODE_STORE_FULL');
    assert.equal(full.retryAfterMs, 1_000, 'until the first code may be forgotten');
    assert.doesNotMatch(full.message, /code-hash/, 'names no code');
    // Every code held is still there, redeemable once.
    for (const n of [1, 2, 3]) assert.equal((await codes.redeemAuthorizationCode(`code-hash-${n}`, NOW))?.first, true);
    // Issued once code 1 is past its keepUntil: it makes room.
    await codes.insertAuthorizationCode(code(4, { createdAt: NOW + 1_000, keepUntil: NOW + 600_000 }));
    assert.equal(await codes.redeemAuthorizationCode('code-hash-1', NOW), undefined);
    assert.equal((await codes.redeemAuthorizationCode('code-hash-4', NOW + 1_000))?.first, true);
    await assert.rejects(
      codes.insertAuthorizationCode(code(5, { createdAt: NOW + 1_000 })),
      AuthorizationCodeStoreFullError,
    );
  });

  it('keeps its own copy: a caller changing a record changes nothing stored', async () => {
    const codes = memoryAuthorizationCodes();
    const record = code(1);
    await codes.insertAuthorizationCode(record);
    record.roles.push('root');
    const redeemed = await codes.redeemAuthorizationCode('code-hash-1', NOW);
    assert.deepStrictEqual(redeemed?.record, code(1));
    redeemed!.record.resources.length = 0;
    assert.deepStrictEqual((await codes.redeemAuthorizationCode('code-hash-1', NOW))?.record, code(1));
  });

  it('refuses a size that is not a positive integer', () => {
    assert.throws(() => memoryAuthorizationCodes({ maxEntries: 0 }), { code: 'ERR_GATEHOUSE_INVALID_ARGUMENT' });
  });
});
