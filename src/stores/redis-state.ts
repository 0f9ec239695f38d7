/**
 * A store whose deny-list and nonce cache live in Redis, for what every instance must see at once.
 * Not a public entry: its declaration names ioredis's type, which the public ones do not.
 */
import type { Redis } from 'ioredis';
import { redisDenyList, redisNonces } from './redis.ts';
import type { GatehouseStore } from './types.ts';

/** The store with its deny-list and nonce cache in Redis (keys under `gatehouse:[namespace:]`); closing it quits Redis. */
export function withRedisState<S extends GatehouseStore>(store: S, redis: Redis, namespace?: string): S {
  const prefix = `gatehouse:${namespace ? `${namespace}:` : ''}`;
  const close = store.close;
  return {
    ...store,
    denyList: redisDenyList(redis, { prefix }),
    nonces: redisNonces(redis, { prefix }),
    close: async () => {
      await close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
