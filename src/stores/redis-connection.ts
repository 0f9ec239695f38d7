/**
 * A Redis connection that a server can depend on: checked when it is opened (a Redis that is
 * not there is a StoreUnreachableError then, not a server that starts and fails every request),
 * failing fast while it is down (a command is refused at once, not queued through the retries),
 * and reconnecting in the background without a word: the outage is told by whoever answers the
 * requests that need it (the guard's `onError`), once.
 */
import type { Redis } from 'ioredis';
import { importPeer } from './missing-peer-error.ts';
import { shownUrl } from './shown-url.ts';
import { StoreUnreachableError } from './store-unreachable-error.ts';

export interface RedisConnectOptions {
  /** How long the first connection may take. @default 5000 ms */
  connectTimeoutMs?: number;
}

/** Why each connection is down (its last connection error), while it is: more telling than a refused command. */
const downBecause = new WeakMap<Redis, unknown>();

export async function connectRedis(url: string, options: RedisConnectOptions = {}): Promise<Redis> {
  const { Redis } = await importPeer('ioredis', 'a redis:// URL', () => import('ioredis'));
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    // While the connection is down a command fails at once (answered 503) rather than waiting
    // through reconnect attempts, and one in flight when it drops fails with it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000), // ms between reconnect attempts
  });
  // Without a listener ioredis prints every failed reconnect attempt with its stack.
  redis.on('error', (error) => downBecause.set(redis, error));
  redis.on('ready', () => downBecause.delete(redis));
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect(false);
    throw new StoreUnreachableError('Redis', shownUrl(url), downBecause.get(redis) ?? error);
  }
  return redis;
}

/** Resolves when the connection answers a PING; rejects with why it is down (ECONNREFUSED …) when it does not. */
export async function pingRedis(redis: Redis): Promise<void> {
  try {
    await redis.ping();
  } catch (error) {
    const known = downBecause.get(redis);
    if (known) throw known;
    // Closed by Redis (stopped, restarted) and not tried again yet: no connection error to tell.
    if (error instanceof Error && error.message.startsWith("Stream isn't writeable"))
      throw new Error('Connection is closed.');
    throw error;
  }
}
