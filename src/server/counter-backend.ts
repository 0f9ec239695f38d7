/**
 * Where login protection's counters live, and a rate-limiter-flexible limiter over each kind of
 * backend: memory, or the database of a store (a handle the app opened and hands over).
 */
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterSQLite,
} from 'rate-limiter-flexible';
import { invalidArgument } from '../http/argument-error.ts';
import type { PostgresPool, RedisClient, SqliteDatabase } from '../stores/handles.ts';
import { betterSqliteShape } from './sqlite-counters.ts';

/** Where counters live: memory, a node:sqlite `DatabaseSync`, a pg `Pool` or an ioredis `Redis`. */
export type CounterBackend =
  | { memory: true }
  | { sqlite: SqliteDatabase }
  | { postgres: PostgresPool }
  | { redis: RedisClient };

export type LimiterOptions = { keyPrefix: string; points: number; duration: number };

/** A backend of one of the four shapes; anything else is refused here, not deep inside a limiter. */
export function checkBackend(backend: unknown, caller = 'createLoginProtection'): asserts backend is CounterBackend {
  const b = backend as Record<string, unknown> | null | undefined;
  const has = (key: string, method: string) =>
    typeof b?.[key] === 'object' &&
    b[key] !== null &&
    typeof (b[key] as Record<string, unknown>)[method] === 'function';
  if (typeof b === 'object' && b !== null) {
    if (b.memory === true || has('sqlite', 'prepare') || has('postgres', 'query') || has('redis', 'get')) return;
  }
  throw invalidArgument(
    `${caller}: backend must be { memory: true }, { sqlite: DatabaseSync }, { postgres: pg.Pool } or ` +
      '{ redis: Redis }: an open handle, not a URL',
  );
}

export async function limiter(backend: CounterBackend, options: LimiterOptions): Promise<RateLimiterAbstract> {
  if ('memory' in backend) return new RateLimiterMemory(options);
  if ('redis' in backend) return new RateLimiterRedis({ ...options, storeClient: backend.redis });
  // The SQL limiters create their table asynchronously; wait for it.
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => (error ? reject(error) : resolve(created));
    const created: RateLimiterAbstract =
      'sqlite' in backend
        ? new RateLimiterSQLite(
            {
              ...options,
              storeClient: betterSqliteShape(backend.sqlite),
              storeType: 'better-sqlite3',
              tableName: 'gatehouse_rate_limits',
            },
            done,
          )
        : new RateLimiterPostgres(
            { ...options, storeClient: backend.postgres, tableName: 'gatehouse_rate_limits' },
            done,
          );
  });
}
