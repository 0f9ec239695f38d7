/**
 * Brute-force protection for sign-in, with rate-limiter-flexible: attempts in a row per
 * (username, client) lock that pair out for a while; a slower per-client budget stops password
 * spraying across many usernames. An attempt is counted BEFORE its password is verified, so a
 * burst of parallel guesses costs at most the limit in hashes; a success gives its points back.
 * Counters live in the same place as the rest of the state, so every instance sharing it sees the
 * same lockouts. No counter is ever keyed on a placeholder shared by clients whose address is
 * unknown: one such client could otherwise lock every account, and every sign-in, for everyone.
 */
import { createHash } from 'node:crypto';
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
import { clientAddressKey } from './client-address.ts';

export type CounterBackend = { memory: true } | { sqlite: DatabaseSync } | { postgres: pg.Pool } | { redis: Redis };

export interface LoginProtectionOptions {
  backend: CounterBackend;
  /** Failures in a row, per username and client address, before a lockout. @default 5 */
  maxConsecutiveFailures?: number;
  /** How long a lockout lasts, in seconds. @default 900 */
  lockoutSeconds?: number;
  /** Failed sign-ins one client address may make per day, whatever the usernames. @default 100 */
  maxFailuresPerIpPerDay?: number;
  /**
   * Failures in a row per username from clients whose address is unknown (a Web Request with no
   * `clientAddress`, Hono outside @hono/node-server without its `clientAddress` option). They share
   * this one count, so it is higher than the per-address one: any of them can spend it, and
   * locks the account for all of them (never for a client whose address is known).
   * @default 4 × maxConsecutiveFailures (20)
   */
  maxConsecutiveFailuresWithoutAddress?: number;
  /** Keeps one deployment's counters apart from another's. @default 'gatehouse' */
  prefix?: string;
  /**
   * Told once, in one line, the first time a sign-in comes with no client address.
   * @default console.warn
   */
  onUnknownAddress?: (line: string) => void;
}

/**
 * Client addresses are keyed by clientAddressKey(): `::ffff:1.2.3.4` counts as `1.2.3.4`, an IPv6
 * client by its /64. An address that is missing or not an address is unknown: such an attempt has
 * no per-address budget (there is no client to charge it to), and counts per username alone, with
 * `maxConsecutiveFailuresWithoutAddress`.
 */
export interface LoginProtection {
  /**
   * Counts one sign-in attempt, before its password is verified: undefined when it may go ahead
   * (its point is spent; give it back with succeeded()), otherwise how long to wait, in ms, and
   * the password must not be verified.
   */
  attempt(username: string, address: string | undefined): Promise<number | undefined>;
  /** The attempt was right: its points are given back and the pair's failures in a row cleared. */
  succeeded(username: string, address: string | undefined): Promise<void>;
  /** How long an attempt would have to wait now (ms), without counting one; undefined when it may go ahead. */
  check(username: string, address: string | undefined): Promise<number | undefined>;
}

export async function createLoginProtection(options: LoginProtectionOptions): Promise<LoginProtection> {
  checkBackend(options?.backend);
  const consecutive = options.maxConsecutiveFailures ?? 5;
  const lockout = options.lockoutSeconds ?? 900;
  const perIp = options.maxFailuresPerIpPerDay ?? 100;
  const consecutiveWithoutAddress = options.maxConsecutiveFailuresWithoutAddress ?? 4 * consecutive;
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
  // Apart from the pairs: an unknown client's failures must never lock an account for a known one.
  const userLimiter = await limiter(options.backend, {
    keyPrefix: `${prefix}_login_user`,
    points: consecutiveWithoutAddress,
    duration: lockout,
    blockDuration: lockout,
  });
  const warn = options.onUnknownAddress ?? ((line: string) => console.warn(line));
  let warned = false;
  /** The client's key, or undefined (said once) when there is no address to key on. */
  const clientKey = (address: string | undefined) => {
    const key = clientAddressKey(address);
    if (key === undefined && !warned) {
      warned = true;
      warn(
        'gatehouse login protection: a sign-in came with no client address, so it has no per-address budget ' +
          `and counts per username alone (locked after ${consecutiveWithoutAddress} failures in a row from any such client). ` +
          "Pass the client's address: Hono's clientAddress option off @hono/node-server, AuthenticateOptions.clientAddress " +
          "or the fetch handler's ip for a Web Request, trust proxy (Express) or trustProxy (Fastify) behind a proxy.",
      );
    }
    return key;
  };
  // Usernames are compared as the user store compares them, and hashed: a key stays short (the
  // Postgres limiter's key is a varchar(255)) and holds no byte a backend refuses (NUL).
  const userKey = (username: string) =>
    createHash('sha256').update(username.normalize('NFC').toLowerCase()).digest('base64url');

  return {
    async attempt(username, address) {
      const client = clientKey(address);
      if (client === undefined) return consume(userLimiter, userKey(username));
      const pair = `${userKey(username)}|${client}`;
      const pairWait = await consume(pairLimiter, pair);
      // A pair locked out spends nothing of the client's daily budget: no hash is computed for it.
      if (pairWait !== undefined) return pairWait;
      const ipWait = await consume(ipLimiter, client);
      if (ipWait === undefined) return undefined;
      // Refused for the client's budget: this attempt is not verified, so it is not one in a row.
      await pairLimiter.reward(pair, 1);
      return ipWait;
    },
    async succeeded(username, address) {
      const client = clientKey(address);
      if (client === undefined) return void (await userLimiter.delete(userKey(username)));
      await Promise.all([pairLimiter.delete(`${userKey(username)}|${client}`), ipLimiter.reward(client, 1)]);
    },
    async check(username, address) {
      const client = clientKey(address);
      const [pair, budget] = await Promise.all(
        client === undefined
          ? [userLimiter.get(userKey(username)), undefined]
          : [pairLimiter.get(`${userKey(username)}|${client}`), ipLimiter.get(client)],
      );
      const waits = [
        pair && pair.consumedPoints >= (client === undefined ? consecutiveWithoutAddress : consecutive)
          ? pair.msBeforeNext
          : undefined,
        budget && budget.consumedPoints >= perIp ? budget.msBeforeNext : undefined,
      ].filter((w): w is number => w !== undefined && w > 0);
      return waits.length ? Math.max(...waits) : undefined;
    },
  };
}

/** Spends one point: undefined when there was one to spend, otherwise how long to wait (ms). */
async function consume(rateLimiter: RateLimiterAbstract, key: string): Promise<number | undefined> {
  try {
    await rateLimiter.consume(key);
    return undefined;
  } catch (error) {
    // A rejection with RateLimiterRes means "over the limit"; any other is the backend failing.
    if (!(error instanceof RateLimiterRes)) throw error;
    return Math.max(error.msBeforeNext, 1);
  }
}

type LimiterOptions = { keyPrefix: string; points: number; duration: number; blockDuration: number };

/** A backend of one of the four shapes; anything else is refused here, not deep inside a limiter. */
function checkBackend(backend: unknown): asserts backend is CounterBackend {
  const b = backend as Record<string, unknown> | null | undefined;
  const has = (key: string, method: string) =>
    typeof b?.[key] === 'object' &&
    b[key] !== null &&
    typeof (b[key] as Record<string, unknown>)[method] === 'function';
  if (typeof b === 'object' && b !== null) {
    if (b.memory === true || has('sqlite', 'prepare') || has('postgres', 'query') || has('redis', 'get')) return;
  }
  throw invalidArgument(
    'createLoginProtection: backend must be { memory: true }, { sqlite: DatabaseSync }, { postgres: pg.Pool } or ' +
      '{ redis: Redis }: an open handle, not a URL',
  );
}

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
