import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { tokenSource } from '../../src/client/index.ts';
import { redisTokenStore } from '../../src/client/redis-store.ts';
import { connectRedis, runPrefix } from '../support/services.ts';

describe('redisTokenStore', () => {
  it('a fleet of workers with their own connections makes one refresh between them', async (t) => {
    const first = await connectRedis(t);
    if (!first) return;
    const prefix = runPrefix('fleet');
    const connections: Redis[] = [first];
    for (let i = 1; i < 5; i++) connections.push((await connectRedis(t))!);
    await redisTokenStore(first, { prefix }).set('default', { accessToken: 'stale' });
    let calls = 0;
    const workers = connections.map((redis) =>
      tokenSource(
        async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 100)); // a token endpoint that takes its time
          return { access_token: `fleet-token-${calls}`, expires_in: 3600 };
        },
        { store: redisTokenStore(redis, { prefix }) },
      ),
    );
    const tokens = await Promise.all(workers.map((w) => w.getToken({ rejected: 'stale' })));
    assert.equal(calls, 1);
    assert.ok(tokens.every((tok) => tok.accessToken === 'fleet-token-1'));
    await Promise.all(connections.map((r) => r.quit()));
  });

  it('takes over the lock of a worker that died holding it, once the lock expires', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    const prefix = runPrefix('dead');
    await redis.set(`${prefix}default:lock`, 'a-worker-that-crashed', 'PX', 300);
    const store = redisTokenStore(redis, { prefix, lockWaitMs: 5000 });
    const start = Date.now();
    const result = await store.lock!('default', async () => 'ran');
    assert.equal(result, 'ran');
    assert.ok(Date.now() - start >= 250);
    assert.equal(await redis.get(`${prefix}default:lock`), null, 'the lock is released after use');
    await redis.quit();
  });
});
