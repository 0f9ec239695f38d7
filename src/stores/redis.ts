/**
 * Redis for what many instances must see at once and forget on time: the access-token
 * deny-list and the nonce replay cache (counters for login protection go through
 * rate-limiter-flexible's RateLimiterRedis; the client's shared token store is
 * gatehouse-http/client/redis-store).
 */
import type { RedisClient } from './handles.ts';
import { replayKeyOf } from './replay-key.ts';
import type { DenyList, NonceStore } from './types.ts';

export interface RedisStateOptions {
  /** @default 'gatehouse:' */
  prefix?: string;
}

export function redisDenyList(redis: RedisClient, options: RedisStateOptions = {}): DenyList {
  const prefix = `${options.prefix ?? 'gatehouse:'}deny:`;
  return {
    async deny(jti, expiresAt) {
      if (expiresAt <= Date.now()) return;
      // Kept exactly until the token would have expired anyway.
      await redis.set(prefix + jti, '1', 'PXAT', expiresAt);
    },
    isDenied: async (jti) => (await redis.exists(prefix + jti)) === 1,
  };
}

export function redisNonces(redis: RedisClient, options: RedisStateOptions = {}): NonceStore {
  const prefix = `${options.prefix ?? 'gatehouse:'}nonce:`;
  return {
    remember: async (keyId, nonce, ttlMs) =>
      (await redis.set(prefix + replayKeyOf(keyId, nonce), '1', 'PX', ttlMs, 'NX')) === 'OK',
  };
}
