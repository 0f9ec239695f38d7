/**
 * The real Postgres and Redis of this machine. Locally an unreachable service skips its tests
 * with a loud message; with CI=true it is a failure, so CI never passes by skipping.
 */
/** A test context, or a hook's (which cannot skip: the tests it serves check for themselves). */
type Context = { skip?: (message?: string) => void } | object;

import { Redis } from 'ioredis';

export const REDIS_URL = process.env['GATEHOUSE_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';
const START_REDIS =
  "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log";

/** A connected Redis client, or (locally) a skipped test. The caller quits it. */
export async function connectRedis(t: Context): Promise<Redis | undefined> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const message = `Redis at ${REDIS_URL} is unreachable (${(error as Error).message}); start it with: ${START_REDIS}`;
    if (process.env['CI'] === 'true') throw new Error(message);
    process.stderr.write(`\n!!! SKIPPED: ${message}\n\n`);
    if ('skip' in t && t.skip) t.skip(message);
    return undefined;
  }
}

/** A key prefix of its own for each test run, so runs never collide. */
export function runPrefix(name: string): string {
  return `gatehouse-test:${name}:${process.pid}:${Date.now()}:`;
}

export const POSTGRES_URL = process.env['GATEHOUSE_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** Whether Postgres answers; locally a skipped test when not, with CI=true a failure. */
export async function requirePostgres(t: Context): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const message = `Postgres at ${POSTGRES_URL} is unreachable (${(error as Error).message}); start it with: ${START_POSTGRES}`;
    if (process.env['CI'] === 'true') throw new Error(message);
    process.stderr.write(`\n!!! SKIPPED: ${message}\n\n`);
    if ('skip' in t && t.skip) t.skip(message);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A Postgres schema name of its own for each test run. */
export function runSchema(name: string): string {
  return `gh_test_${name}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
}

/** Drops a test run's schema. */
export async function dropSchema(schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
