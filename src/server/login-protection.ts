/**
 * Brute-force protection for sign-in, with rate-limiter-flexible: consecutive failures per
 * (username, IP) lock that pair out for a while; a slower per-IP budget stops password spraying
 * across many usernames. A success clears the consecutive count. Counters live in the same place
 * as the rest of the state, so every instance sharing it sees the same lockouts.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
} from 'rate-limiter-flexible';
import { invalidArgument } from '../http/argument-error.ts';
import { betterSqliteShape } from '../stores/sqlite.ts';

export type CounterBackend = { memory: true } | { sqlite: DatabaseSync } | { postgres: pg.Pool } | { redis: Redis };

export interface LoginProtectionOptions {
  backend: CounterBackend;
  /** Failures in a row, per username and IP, before a lockout. @default 5 */
  maxConsecutiveFailures?: number;
  /** How long a lockout lasts, in seconds. @default 900 */
  lockoutSeconds?: number;
  /** Failed sign-ins one IP may make per day, whatever the usernames. @default 100 */
  maxFailuresPerIpPerDay?: number;
  /** Keeps one deployment's counters apart from another's. @default 'gatehouse' */
  prefix?: string;
}

export interface LoginProtection {
  /** undefined when the attempt may go ahead; otherwise how long to wait, in ms. */
  check(username: string, ip: string): Promise<number | undefined>;
  failed(username: string, ip: string): Promise<void>;
  succeeded(username: string, ip: string): Promise<void>;
}

export async function createLoginProtection(options: LoginProtectionOptions): Promise<LoginProtection> {
  const consecutive = options.maxConsecutiveFailures ?? 5;
  const lockout = options.lockoutSeconds ?? 900;
  const perIp = options.maxFailuresPerIpPerDay ?? 100;
  const prefix = options.prefix ?? 'gatehouse';
  if (!/^[A-Za-z0-9_]+$/.test(prefix))
    throw invalidArgument('createLoginProtection: prefix must be letters, digits and _');
  const pairLimiter = await limiter(options.backend, {
    keyPrefix: `${prefix}_login_pair`,
    points: consecutive,
    duration: lockout,
    blockDuration: lockout,
  });
  const ipLimiter = await limiter(options.backend, {
    keyPrefix: `${prefix}_login_ip`,
    points: perIp,
    duration: 86_400,
    blockDuration: 86_400,
  });
  // Usernames are compared as the user store compares them; the IP keeps pairs apart.
  const pairKey = (username: string, ip: string) => `${username.normalize('NFC').toLowerCase()}|${ip}`;

  return {
    async check(username, ip) {
      const [pair, address] = await Promise.all([pairLimiter.get(pairKey(username, ip)), ipLimiter.get(ip)]);
      const waits = [
        pair && pair.consumedPoints >= consecutive ? pair.msBeforeNext : undefined,
        address && address.consumedPoints >= perIp ? address.msBeforeNext : undefined,
      ].filter((w): w is number => w !== undefined && w > 0);
      return waits.length ? Math.max(...waits) : undefined;
    },
    async failed(username, ip) {
      await Promise.all([consume(pairLimiter, pairKey(username, ip)), consume(ipLimiter, ip)]);
    },
    async succeeded(username, ip) {
      await pairLimiter.delete(pairKey(username, ip));
    },
  };
}

async function consume(rateLimiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await rateLimiter.consume(key);
  } catch (error) {
    // A rejection with RateLimiterRes means "over the limit", which check() reports; others are real.
    if (!(error instanceof RateLimiterRes)) throw error;
  }
}

type LimiterOptions = { keyPrefix: string; points: number; duration: number; blockDuration: number };

async function limiter(backend: CounterBackend, options: LimiterOptions): Promise<RateLimiterAbstract> {
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
