/**
 * Brute-force protection for sign-in, with rate-limiter-flexible: attempts in a row per
 * (account, client) lock that pair out for a while; a slower per-client budget stops password
 * spraying across many usernames. An attempt is counted BEFORE its password is verified, so a
 * burst of parallel guesses costs at most the limit in hashes; a success gives its points back.
 * Counters live in the same place as the rest of the state, so every instance sharing it sees the
 * same lockouts. No counter is ever keyed on a placeholder shared by clients whose address is
 * unknown: one such client could otherwise lock every account, and every sign-in, for everyone.
 */
import { createHash } from 'node:crypto';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { invalidArgument } from '../http/argument-error.ts';
import { clientAddressKey } from './client-address.ts';
import { type CounterBackend, checkBackend, limiter } from './counter-backend.ts';

export type { CounterBackend };

export interface LoginProtectionOptions {
  backend: CounterBackend;
  /** Failures in a row, per account and client address, before a lockout. @default 5 */
  maxConsecutiveFailures?: number;
  /** How long a lockout lasts, in seconds. @default 900 */
  lockoutSeconds?: number;
  /** Failed sign-ins one client address may make per day, whatever the usernames. @default 100 */
  maxFailuresPerIpPerDay?: number;
  /**
   * Failures in a row per account from clients whose address is unknown (a Web Request with no
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

/** Why an attempt may not go ahead now, and for how long. */
export interface LoginWait {
  retryAfterMs: number;
  /**
   * true: failures reached a limit (the pair's in a row, or the address's daily budget) — a
   * lockout. false: only attempts still being verified fill the budget (their outcome is not known
   * yet, and right ones give their place back) — a short wait, never a lockout nobody earned.
   */
  lockedOut: boolean;
  /** The limit that refused it, for the RateLimit and RateLimit-Policy fields of the answer. */
  limit: LoginLimit;
}

/** One of login protection's limits, as the RateLimit-Policy field declares it. */
export interface LoginLimit {
  /** `login_pair` (account and address), `login_ip` (an address's day) or `login_user` (address unknown). */
  policy: string;
  quota: number;
  windowSeconds: number;
}

/** How long an attempt refused only for attempts in flight waits: about one verification. */
export const BUSY_WAIT_MS = 1000;

/**
 * Client addresses are keyed by clientAddressKey(): `::ffff:1.2.3.4` counts as `1.2.3.4`, an IPv6
 * client by its /64. An address that is missing or not an address is unknown: such an attempt has
 * no per-address budget (there is no client to charge it to), and counts per account alone, with
 * `maxConsecutiveFailuresWithoutAddress`.
 *
 * Each count has two numbers: the failures (what locks out) and the places (failures plus the
 * attempts in flight, bounded by the same limit, so N parallel guesses cost at most the limit in
 * hashes). A caller verifies only after attempt() said yes, then reports failed() or succeeded().
 *
 * `account` names what is counted, compared exactly: the account the user store resolved the name
 * to (createSignIn passes the user's id, or the name as given when the store knows no such user).
 * Keying on a folding of the typed name instead would let two accounts the store keeps apart
 * (`alice`, `Alice`) share a count, so that one's success clears the other's failures.
 */
export interface LoginProtection {
  /**
   * Takes a place for one sign-in attempt, before its password is verified: undefined when it may
   * go ahead (report its outcome with failed() or succeeded()), otherwise how long to wait, and the
   * password must not be verified. Locked out, or out of its daily budget, an attempt writes nothing.
   */
  attempt(account: string, address: string | undefined): Promise<LoginWait | undefined>;
  /** The attempt was wrong: one more failure in a row for the pair, one more of the address's day. */
  failed(account: string, address: string | undefined): Promise<void>;
  /** The attempt was right: the pair's failures in a row cleared, the address's place given back. */
  succeeded(account: string, address: string | undefined): Promise<void>;
  /**
   * The attempt was never decided (the hash, or the user store, failed): its places are given back
   * and nothing is counted, since the failure was the server's, not a wrong password.
   */
  abandoned(account: string, address: string | undefined): Promise<void>;
  /** How long a lockout has left now (ms), without counting anything; undefined when there is none. */
  check(account: string, address: string | undefined): Promise<number | undefined>;
}

/** One limit, counted twice: the failures, and the places (failures + attempts in flight). */
interface Count {
  name: string;
  limit: number;
  seconds: number;
  places: RateLimiterAbstract;
  failures: RateLimiterAbstract;
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
  const count = async (name: string, limit: number, seconds: number): Promise<Count> => ({
    name,
    limit,
    seconds,
    // Places are never blocked: they only bound the attempts in flight; failures lock out.
    places: await limiter(options.backend, { keyPrefix: `${prefix}_${name}`, points: limit, duration: seconds }),
    failures: await limiter(options.backend, {
      keyPrefix: `${prefix}_${name}_failed`,
      points: limit,
      duration: seconds,
    }),
  });
  const pairs = await count('login_pair', consecutive, lockout);
  const addresses = await count('login_ip', perIp, 86_400);
  // Apart from the pairs: an unknown client's failures must never lock an account for a known one.
  const accounts = await count('login_user', consecutiveWithoutAddress, lockout);
  const warn = options.onUnknownAddress ?? ((line: string) => console.warn(line));
  const clientKey = clientKeys(warn, consecutiveWithoutAddress);
  // The account as the caller names it, exactly: no folding here, since only the user store knows
  // which spellings are one account (createSignIn passes the user's id). Hashed: a key stays short
  // (the Postgres limiter's key is a varchar(255)) and holds no byte a backend refuses (NUL).
  const userKey = (account: string) => createHash('sha256').update(account).digest('base64url');
  /** The counts an attempt is charged to, the address's budget first. */
  const countsOf = (account: string, address: string | undefined): Array<[Count, string]> => {
    const client = clientKey(address);
    if (client === undefined) return [[accounts, userKey(account)]];
    return [
      [addresses, client],
      [pairs, `${userKey(account)}|${client}`],
    ];
  };

  return {
    attempt: async (account, address) => takeAttempt(countsOf(account, address)),
    async failed(account, address) {
      // The place stays taken: it is a failure now.
      await Promise.all(countsOf(account, address).map(([c, key]) => countFailure(c, key)));
    },
    async succeeded(account, address) {
      await Promise.all(
        countsOf(account, address).map(([c, key]) =>
          c === addresses
            ? c.places.reward(key, 1) // the day's failures stay counted
            : Promise.all([c.places.delete(key), c.failures.delete(key)]),
        ),
      );
    },
    async abandoned(account, address) {
      await Promise.all(countsOf(account, address).map(([c, key]) => c.places.reward(key, 1)));
    },
    check: async (account, address) => (await lockedBy(countsOf(account, address)))?.ms,
  };
}

/** The client's key, or undefined (said once) when there is no address to key on. */
function clientKeys(
  warn: (line: string) => void,
  consecutiveWithoutAddress: number,
): (address: string | undefined) => string | undefined {
  let warned = false;
  return (address) => {
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
}

/**
 * Takes a place in every count, the address's budget first, or in none: the places already taken
 * are given back when one count is full. undefined when the attempt may go ahead.
 */
async function takeAttempt(counts: Array<[Count, string]>): Promise<LoginWait | undefined> {
  // Read first: a client out of its daily budget, or a pair locked out, touches no counter,
  // so naming new usernames cannot grow the store.
  const locked = await lockedBy(counts);
  if (locked !== undefined) return { retryAfterMs: locked.ms, lockedOut: true, limit: limitOf(locked.count) };
  const taken: Array<[Count, string]> = [];
  for (const [c, key] of counts) {
    if (await takePlace(c, key)) {
      taken.push([c, key]);
      continue;
    }
    // Not verified, so not counted: the places already taken are given back.
    await Promise.all(taken.map(([t, k]) => t.places.reward(k, 1)));
    // Full: either failures have just reached the limit, or attempts in flight fill it.
    const lockedNow = await lockedBy([[c, key]]);
    return lockedNow !== undefined
      ? { retryAfterMs: lockedNow.ms, lockedOut: true, limit: limitOf(c) }
      : { retryAfterMs: BUSY_WAIT_MS, lockedOut: false, limit: limitOf(c) };
  }
  return undefined;
}

function limitOf(c: Count): LoginLimit {
  return { policy: c.name, quota: c.limit, windowSeconds: c.seconds };
}

/** The longest lockout among the counts (ms) and its count, or undefined when none has reached its limit. */
async function lockedBy(counts: Array<[Count, string]>): Promise<{ ms: number; count: Count } | undefined> {
  const states = await Promise.all(counts.map(([c, key]) => c.failures.get(key)));
  let longest: { ms: number; count: Count } | undefined;
  states.forEach((state, i) => {
    const ms = state && state.consumedPoints >= counts[i]![0].limit ? state.msBeforeNext : 0;
    if (ms > 0 && ms > (longest?.ms ?? 0)) longest = { ms, count: counts[i]![0] };
  });
  return longest;
}

/** Takes a place when there is one; a refused try is given back at once, so it counts for nothing. */
async function takePlace(c: Count, key: string): Promise<boolean> {
  const wait = await consume(c.places, key);
  if (wait === undefined) return true;
  await c.places.reward(key, 1);
  return false;
}

/** One more failure; the one that reaches the limit locks out for the whole period from now. */
async function countFailure(c: Count, key: string): Promise<void> {
  let consumed: number;
  try {
    consumed = (await c.failures.consume(key)).consumedPoints;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    consumed = error.consumedPoints;
  }
  if (consumed >= c.limit) await c.failures.block(key, c.seconds);
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
