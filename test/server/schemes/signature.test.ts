/** The signature scheme's options, checked when it is made (its attacks are in test/security/signed-requests.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memorySigningKeys, signatureScheme } from '../../../src/server/index.ts';

const keys = memorySigningKeys([{ id: 'svc', keyId: 'key-1', secret: 'signing-secret-0123', scopes: [] }]);

describe('signatureScheme options', () => {
  it('takes windowSeconds as whole seconds from 1 to 3600, and refuses any other when made', () => {
    // A fraction made Redis refuse the nonce's expiry (PX) at the first request; Infinity kept every
    // nonce for ever, and NaN or a negative window refused every request.
    for (const windowSeconds of [0, -300, 0.5, 299.5, Number.NaN, Number.POSITIVE_INFINITY, 3601, '300' as never])
      assert.throws(
        () => signatureScheme({ keys, windowSeconds }),
        (error: Error & { code?: string }) =>
          error.code === 'ERR_GATEHOUSE_INVALID_ARGUMENT' &&
          error.message.includes('windowSeconds must be a whole number of seconds from 1 to 3600'),
        String(windowSeconds),
      );
    for (const windowSeconds of [1, 300, 3600]) signatureScheme({ keys, windowSeconds });
  });
});
