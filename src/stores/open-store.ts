/**
 * Opens the store a URL names: `sqlite:PATH` (the default, `sqlite::memory:` for a throwaway),
 * `postgres://…` (with the pg package installed: a MissingPeerError says so), or `memory:`. With a
 * Redis URL as well (and ioredis), the deny-list and the nonce cache move to Redis so that every
 * instance sees them at once.
 */
import { invalidArgument } from '../http/argument-error.ts';
import { memoryStore } from './memory.ts';
import { importPeer } from './missing-peer-error.ts';
import type { PostgresStore } from './postgres.ts';
import { connectRedis } from './redis-connection.ts';
import { withRedisState } from './redis-state.ts';
import { shownUrl } from './shown-url.ts';
import type { SqliteStore } from './sqlite.ts';
import type { GatehouseStore } from './types.ts';

export const DEFAULT_STORE_URL = 'sqlite:gatehouse.db';

export interface OpenStoreOptions {
  /**
   * Create the store when it is not there (a SQLite file and its folders, a Postgres schema and its
   * tables). With false, a store that is not there is a StoreNotFoundError and nothing is created:
   * for code that reads or changes what exists, where a typo in the URL must not look like an
   * empty store. @default true
   */
  create?: boolean;
  /** `redis://…`: deny-list and nonces in Redis (a StoreUnreachableError when it does not answer). */
  redis?: string;
  /** Postgres schema / Redis key prefix, to keep deployments or test runs apart. */
  namespace?: string;
}

/**
 * The type follows the URL, so that a store's own handle can serve the login counters:
 * `createLoginProtection({ backend: { sqlite: store.database } })` or `{ postgres: store.pool }`.
 */
export function openStore(url?: `sqlite:${string}`, options?: OpenStoreOptions): Promise<SqliteStore>;
export function openStore(
  url: `postgres://${string}` | `postgresql://${string}`,
  options?: OpenStoreOptions,
): Promise<PostgresStore>;
export function openStore(url?: string, options?: OpenStoreOptions): Promise<GatehouseStore>;
export async function openStore(
  url: string = DEFAULT_STORE_URL,
  options: OpenStoreOptions = {},
): Promise<GatehouseStore> {
  let store: GatehouseStore;
  if (url === 'memory:') store = memoryStore();
  else if (url.startsWith('sqlite:')) {
    const { sqliteStore } = await import('./sqlite.ts');
    const path = url.slice('sqlite:'.length);
    if (!path) throw invalidArgument('openStore: sqlite: needs a path, as in sqlite:./gatehouse.db or sqlite::memory:');
    store = sqliteStore(path, { create: options.create ?? true });
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { postgresStore } = await importPeer('pg', 'a postgres:// store', () => import('./postgres.ts'));
    store = await postgresStore({
      connectionString: url,
      create: options.create ?? true,
      ...(options.namespace ? { schema: options.namespace } : {}),
    });
  } else {
    throw invalidArgument(
      `openStore: unknown store URL ${JSON.stringify(shownUrl(url))}; use sqlite:PATH, postgres://… or memory:`,
    );
  }
  if (!options.redis) return store;
  const redis = await connectRedis(options.redis).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  return withRedisState(store, redis, options.namespace);
}
