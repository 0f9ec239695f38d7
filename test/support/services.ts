/**
 * The real Postgres and Redis of this machine. Locally an unreachable service skips its tests
 * with a loud message; with CI=true it is a failure, so CI never passes by skipping.
 */
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env['GATEHOUSE_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';
const START_REDIS =
  "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log";

/** A connected Redis client, or (locally) a skipped test. The caller quits it. */
export async function connectRedis(t: TestContext): Promise<Redis | undefined> {
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
    t.skip(message);
    return undefined;
  }
}

/** A key prefix of its own for each test run, so runs never collide. */
export function runPrefix(name: string): string {
  return `gatehouse-test:${name}:${process.pid}:${Date.now()}:`;
}
