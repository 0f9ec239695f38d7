import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisDenyList, redisNonces } from '../../src/stores/redis.ts';
import { connectRedis, runPrefix } from '../support/services.ts';
import { denyListBehaves, noncesBehave, noncesKeepDigests, noncesKeepLive } from '../support/store-concerns.ts';

describe('redis state', () => {
  it('deny-list: a jti is denied until the expiry given', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    await denyListBehaves(redisDenyList(redis, { prefix: runPrefix('deny') }));
    await redis.quit();
  });
  it('nonces: remembered once, again after they expire', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    await noncesBehave(redisNonces(redis, { prefix: runPrefix('nonce') }));
    await redis.quit();
  });
  it('nonces: a digest of (key id, nonce) is kept, whatever the nonce and key id hold', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    const prefix = runPrefix('nonce-digest');
    await noncesKeepDigests(redisNonces(redis, { prefix }));
    const keys = await redis.keys(`${prefix}*`);
    assert.equal(keys.length, 5);
    assert.ok(
      keys.every((key) => key.length === keys[0]!.length && key.length < prefix.length + 60),
      'every key is the same short size',
    );
    await redis.quit();
  });
  it('nonces: a live nonce is never forgotten, however many come after it', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    await noncesKeepLive(redisNonces(redis, { prefix: runPrefix('nonce-flood') }));
    await redis.quit();
  });
});
