/**
 * What the playground depends on outside its process, opened before it listens (one that does
 * not answer is a StoreUnreachableError then, and the playground does not start): the store
 * (Postgres when given one) and Redis, one connection for the deny-list, the nonces and the
 * login counters. Each is listed with how to ask whether it answers, for the outage log.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Pool } from 'pg';
import type { CounterBackend } from '../server/login-protection.ts';
import { openStore } from '../stores/open-store.ts';
import { connectRedis, pingRedis } from '../stores/redis-connection.ts';
import { withRedisState } from '../stores/redis-state.ts';
import { shownUrl } from '../stores/shown-url.ts';
import type { GatehouseStore } from '../stores/types.ts';
import type { Dependency } from './outage-log.ts';

export interface OpenedDependencies {
  /** The store, its deny-list and nonces in Redis when given one; closing it closes them all. */
  store: GatehouseStore;
  /** Where login counters live: Redis, Postgres, SQLite, or memory, as the rest of the state. */
  backend: CounterBackend;
  /** Those that can stop answering while the playground serves. */
  dependencies: Dependency[];
}

export async function openDependencies(
  storeUrl: string,
  redisUrl: string | undefined,
  namespace: string | undefined,
): Promise<OpenedDependencies> {
  const store = await openStore(storeUrl, namespace ? { namespace } : {});
  const dependencies: Dependency[] = [];
  const pool = 'pool' in store ? (store.pool as Pool) : undefined;
  if (pool) dependencies.push({ name: shownUrl(storeUrl), check: () => pool.query('SELECT 1') });
  if (!redisUrl) {
    const backend: CounterBackend = pool
      ? { postgres: pool }
      : 'database' in store
        ? { sqlite: store.database as DatabaseSync }
        : { memory: true };
    return { store, backend, dependencies };
  }
  const redis = await connectRedis(redisUrl).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  dependencies.push({ name: shownUrl(redisUrl), check: () => pingRedis(redis) });
  return { store: withRedisState(store, redis, namespace), backend: { redis }, dependencies };
}
