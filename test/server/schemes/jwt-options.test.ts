/** The bearer scheme's JWT options: algorithms pinned, never "none", HMAC secrets of at least 32 bytes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidArgumentError } from '../../support/argument-error.ts';
import { JWT_SECRET } from '../../support/guard-fixture.ts';

describe('configuration', () => {
  it('refuses a JWT scheme without pinned algorithms, with "none", or with a short HMAC secret', async () => {
    const { bearerScheme } = await import('../../../src/server/index.ts');
    assert.throws(() => bearerScheme({ jwt: { key: JWT_SECRET, algorithms: [] } }), /algorithms is required/);
    assert.throws(() => bearerScheme({ jwt: { key: JWT_SECRET, algorithms: ['none'] } }), /"none"/);
    assert.throws(() => bearerScheme({ jwt: { key: 'short', algorithms: ['HS256'] } }), /at least 32 bytes/);
  });
});

describe('what to pass', () => {
  it('bearerScheme({}) asks for jwt or opaque; algorithms given as one name asks for a list', async () => {
    const { bearerScheme } = await import('../../../src/server/index.ts');
    assert.throws(
      () => bearerScheme({} as never),
      invalidArgumentError(/\{ jwt: \{ … \} \} or \{ opaque: \{ verify \} \}/),
    );
    assert.throws(
      () => bearerScheme({ jwt: { key: JWT_SECRET, algorithms: 'HS256' as never } }),
      invalidArgumentError(/jwt\.algorithms must be a list/),
    );
  });
});
