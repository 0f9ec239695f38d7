/**
 * `gatehouse-http/client/redis-store` (Node only): tokens in Redis, shared by a fleet of workers.
 * Its lock (SET NX PX, released by compare-and-delete) makes the fleet refresh once: the first
 * worker refreshes while the others wait, then they read the token it stored.
 */
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../http/argument-error.ts';
import { GatehouseError } from '../http/gatehouse-error.ts';
import { sleep } from './abortable-wait.ts';
import { isTokenObject, type Token } from './tokens/token.ts';
import type { TokenStore } from './tokens/token-store.ts';

/** The commands used, as ioredis offers them. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
  del(key: string): Promise<number>;
  eval(script: string, numKeys: number, key: string, arg: string): Promise<unknown>;
}

export interface RedisTokenStoreOptions {
  /** Prefix of every key. @default 'gatehouse:token:' */
  prefix?: string;
  /** A lock left by a crashed worker expires after this, in ms. @default 30_000 */
  lockTtlMs?: number;
  /** How long a worker waits for another's lock, in ms. @default 15_000 */
  lockWaitMs?: number;
}

// Deletes the lock only if it still holds our value: never another worker's lock.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Another worker held the token lock for longer than `lockWaitMs`. */
export class TokenLockError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TOKEN_LOCK';
  constructor(message: string) {
    super(message, TokenLockError.code);
  }
}

export function redisTokenStore(redis: RedisLike, options: RedisTokenStoreOptions = {}): TokenStore {
  if (
    !redis ||
    typeof redis.get !== 'function' ||
    typeof redis.set !== 'function' ||
    typeof redis.eval !== 'function'
  ) {
    throw invalidArgument('redisTokenStore(redis): pass an ioredis client (new Redis(url))');
  }
  const prefix = options.prefix ?? 'gatehouse:token:';
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const lockWaitMs = options.lockWaitMs ?? 15_000;

  return {
    async get(key) {
      const raw = await redis.get(prefix + key);
      if (raw === null) return undefined;
      try {
        const token = JSON.parse(raw) as Token;
        return isTokenObject(token) ? token : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, token) {
      await redis.set(prefix + key, JSON.stringify(token));
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
    async lock(key, fn) {
      const lockKey = `${prefix}${key}:lock`;
      const value = randomBytes(16).toString('hex');
      const deadline = Date.now() + lockWaitMs;
      while ((await redis.set(lockKey, value, 'PX', lockTtlMs, 'NX')) !== 'OK') {
        if (Date.now() > deadline) {
          throw new TokenLockError(`Waited ${lockWaitMs} ms for the token lock ${lockKey} held by another worker.`);
        }
        await sleep(25 + Math.random() * 50);
      }
      try {
        return await fn();
      } finally {
        await redis.eval(RELEASE, 1, lockKey, value);
      }
    },
  };
}
