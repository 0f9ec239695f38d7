/** API keys: prefix-identified random keys, stored as a SHA-256 hash, shown once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiKeyId, apiKeyMatches, createApiKey } from '../../../src/server/index.ts';

describe('API keys', () => {
  it('are prefix-identified random keys, stored as a hash, shown once', () => {
    const created = createApiKey({ prefix: 'acme' });
    assert.match(created.key, /^acme_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(apiKeyId(created.key), created.id);
    assert.match(created.hash, /^[0-9a-f]{64}$/);
    assert.ok(!created.hash.includes(created.key));
    assert.equal(apiKeyMatches(created.key, created.hash), true);
    assert.equal(apiKeyMatches(`${created.key}x`, created.hash), false);
    assert.equal(apiKeyId('acme_short_x'), undefined);
  });
});
