/**
 * Signing in with a username and a password: the one way every entry point checks a password
 * (Basic on the guard, the OAuth password grant, the playground's session login), so none of them
 * can skip a step:
 * - the attempt is counted by login protection BEFORE the password is verified (a burst of parallel
 *   guesses costs at most the limit in hashes; the rest are refused at once) and given back on success;
 * - it is counted on the ACCOUNT the user store resolves the name to (the user's id), never on a
 *   folding of the text: the store alone says which spellings are one account, so `Alice` signing
 *   in to her own account cannot clear the failures counted on `alice`'s, and a store that ignores
 *   case gives every spelling of a name its one count;
 * - identical sign-ins in flight at once (same username, password and client) are verified once and
 *   share the answer, so a service's burst of right sign-ins counts as one attempt, not as a burst;
 * - only failures lock out: an attempt refused because others are still being verified is told to
 *   come back in a second (`rate_limited`), never `locked_out`;
 * - an unknown user costs the same hash as a wrong password, and gets the same refusal;
 * - what comes back is the user's record as the store holds it now: a cache of verified pairs may
 *   spare the hash, never the lookup, so a demoted or deleted user is seen by the next request.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { invalidArgument } from '../http/argument-error.ts';
import { isPending, type MaybePromise, whenSettled } from '../http/maybe-promise.ts';
import type { UserLookup, UserRecord } from '../stores/lookups.ts';
import { clientAddressKey } from './client-address.ts';
import { verifyAgainstDummy, verifyPassword } from './credentials/password-hash.ts';
import { VerifiedCache, type VerifiedCacheOptions } from './credentials/verified-cache.ts';
import type { LoginProtection } from './login-protection.ts';
import { isRefusal, type Refusal } from './refusal.ts';
import { isClientSubject } from './tokens/client-subject.ts';

export interface SignInOptions {
  users: UserLookup;
  /** Counts attempts and locks out; without it nothing is counted. */
  loginProtection?: LoginProtection;
  /**
   * Remember pairs that verified, so a repeat costs a lookup but no hash and no counter (it is known
   * to be right), until a wrong password for that username is seen here: then the next attempt is a
   * full sign-in again, counted (refused while locked out) and clearing the failures. @default false
   */
  cache?: VerifiedCacheOptions | false;
}

export type SignInResult = UserRecord | Refusal;

export interface SignIn {
  /**
   * The user's current record when the password is right; otherwise a refusal from the catalogue:
   * `credentials_invalid` alike for an unknown user and a wrong password, `locked_out` with
   * `retryAfterMs` (failures reached the limit; nothing verified), or `rate_limited` with a
   * `retryAfterMs` of a second (other attempts in flight fill the budget; nothing verified).
   * Synchronous when the lookup is and the pair is remembered.
   * `clientAddress` is the socket's (or a trusted proxy's) address; login protection keys on it.
   */
  verify(username: string, password: string, clientAddress?: string): MaybePromise<SignInResult>;
  /**
   * A sign-in that needs a second factor too: `secondFactor(user)` is asked only once the password
   * is right, inside the same counted attempt, and a wrong answer is a failed sign-in like a wrong
   * password (so a one-time code cannot be guessed by someone who knows the password, and a right
   * password does not clear the failures of wrong codes). Never from the cache. The refusal does
   * not say which of the two was wrong. Counted apart from sign-ins with the password alone (on
   * the account `factor:<account>`), so that such a sign-in, which someone guessing codes can make,
   * clears none of the wrong codes; a lockout of the password's count refuses this one too.
   */
  verifyWithSecondFactor(
    username: string,
    password: string,
    clientAddress: string | undefined,
    secondFactor: (user: UserRecord) => Promise<boolean>,
  ): Promise<SignInResult>;
  /** The verified pairs remembered, each with the stored hash it matched; undefined without a cache. */
  readonly cache: VerifiedCache<string> | undefined;
}

/**
 * The account a sign-in is counted on: the user's id when the store knows the name (every spelling
 * the store resolves to that user is the one account), otherwise the name exactly as given, a
 * guess at an account that does not exist. Prefixed, so no username can pass for an id.
 */
function accountOf(username: string, user: UserRecord | undefined): string {
  return user ? `user:${user.id}` : `name:${username}`;
}

/** The one refusal for an unknown user and a wrong password: no username enumeration by the answer. */
const WRONG: Refusal = Object.freeze({ reason: 'credentials_invalid', detail: 'The username or password is wrong.' });
/** With a second factor: one answer, whichever was wrong (a right password is not confirmed). */
const WRONG_WITH_CODE: Refusal = Object.freeze({
  reason: 'credentials_invalid',
  detail: 'The username, password or one-time code is wrong.',
});

/** Where a sign-in comes from: the Basic scheme's request, whose address is read only when needed. */
export interface SignInOrigin {
  readonly clientAddress: string | undefined;
}

/** A SignIn, with verifyFrom() for the Basic scheme (not part of the package's API). */
export interface GuardSignIn extends SignIn {
  /**
   * verify(), the client's address read from `origin` only for a full sign-in, which counts it (a
   * remembered pair needs none): a Basic request's address may cost a parse (Express's req.ip,
   * which honours `trust proxy`), and most requests carry a remembered pair.
   */
  verifyFrom(username: string, password: string, origin: SignInOrigin): MaybePromise<SignInResult>;
}

export function createSignIn(options: SignInOptions): SignIn {
  return createGuardSignIn(options);
}

export function createGuardSignIn(options: SignInOptions): GuardSignIn {
  if (!options?.users || typeof options.users.findUserByName !== 'function')
    throw invalidArgument('createSignIn: users must have findUserByName(username)');
  const { users, loginProtection } = options;
  // Keyed on the pair; each entry is the stored hash it verified against, so a changed password
  // (a new stored hash) misses at once.
  const cacheOptions = options.cache === false ? undefined : options.cache;
  const cache = cacheOptions && new VerifiedCache<string>(cacheOptions);
  const state: SignInState = {
    users,
    loginProtection,
    cache,
    failedSince: new Map<string, number>(),
    ttlMs: cacheOptions?.ttlMs ?? 60_000,
    maxFailed: cacheOptions?.maxEntries ?? 10_000,
  };
  const { failedSince } = state;
  const distrusted = (account: string, now = Date.now()) => {
    const until = failedSince.get(account);
    return until !== undefined && until > now;
  };
  const once = verifiedOnce((username, password, clientAddress) =>
    verifySlowly(state, username, password, clientAddress),
  );
  // The user as the store holds it now still has the stored hash the pair was verified against,
  // and no wrong password for the account was seen since.
  const stillRight = (user: UserRecord | undefined, username: string, remembered: string): user is UserRecord =>
    user !== undefined &&
    user.passwordHash === remembered &&
    !(failedSince.size > 0 && distrusted(accountOf(username, user)));
  const rememberedLater = (
    found: PromiseLike<UserRecord | undefined>,
    username: string,
    password: string,
    remembered: string,
    clientAddress: string | undefined,
  ) =>
    whenSettled(found, (user) =>
      stillRight(user, username, remembered) ? user : once(username, password, clientAddress),
    );
  const verifyFrom = (username: string, password: string, origin: SignInOrigin): MaybePromise<SignInResult> => {
    const remembered = cache?.get([username, password]);
    if (remembered === undefined) return once(username, password, origin.clientAddress);
    // The cache spares the hash, never the record: the user is looked up on every request.
    const found = users.findUserByName(username);
    // The address is read before anything waits, as a full sign-in reads it: a socket that
    // closed meanwhile would no longer tell it. A remembered pair that is still right needs none.
    if (isPending(found)) return rememberedLater(found, username, password, remembered, origin.clientAddress);
    return stillRight(found, username, remembered) ? found : once(username, password, origin.clientAddress);
  };

  return {
    cache,
    verifyWithSecondFactor: (username, password, clientAddress, secondFactor) =>
      verifySlowly(state, username, password, clientAddress, secondFactor),
    verify: (username, password, clientAddress) => verifyFrom(username, password, { clientAddress }),
    verifyFrom,
  };
}

type FullSignIn = (username: string, password: string, clientAddress: string | undefined) => Promise<SignInResult>;

/** What a full sign-in reads and writes, set up once by createSignIn. */
interface SignInState {
  readonly users: UserLookup;
  readonly loginProtection: LoginProtection | undefined;
  readonly cache: VerifiedCache<string> | undefined;
  /**
   * Usernames with a wrong password since their pair was remembered (until the memory expires): their
   * remembered pairs are not trusted until a full sign-in succeeds, so failures in a row are cleared
   * by a success and a lockout holds for the right password too. Empty on the hot path.
   */
  readonly failedSince: Map<string, number>;
  readonly ttlMs: number;
  readonly maxFailed: number;
}

/** The full sign-in: looked up, counted, hashed, reported to login protection. */
async function verifySlowly(
  { users, loginProtection, cache, failedSince, ttlMs, maxFailed }: SignInState,
  username: string,
  password: string,
  clientAddress: string | undefined,
  secondFactor?: (user: UserRecord) => Promise<boolean>,
): Promise<SignInResult> {
  // The lookup first (cheap; a store failure here throws before any place is taken): the
  // attempt is counted on the account it names. The hash still comes only after the count.
  const found = await users.findUserByName(username);
  // An id in the clients' namespace (put through the store API; the CLI makes `u_<uuid>`) would
  // make a principal that poses as a client's (RFC 9700 §4.15): such an account is not there.
  const user = found && !isClientSubject(found.id) ? found : undefined;
  const plain = accountOf(username, user);
  // With a second factor the attempt has a count of its own, which only a sign-in with the factor
  // clears: a sign-in with the password alone (which the guesser of a code knows) clears its own
  // failures, never the wrong codes. A lockout of the password's count holds here too.
  const account = secondFactor ? `factor:${plain}` : plain;
  const passwordLockedMs = secondFactor ? await loginProtection?.check(plain, clientAddress) : undefined;
  const wait =
    passwordLockedMs === undefined
      ? await loginProtection?.attempt(account, clientAddress)
      : { retryAfterMs: passwordLockedMs, lockedOut: true, limit: undefined };
  // The limit that refused it goes out as the RateLimit fields (draft-ietf-httpapi-ratelimit-headers).
  const rateLimit = wait?.limit && {
    ...wait.limit,
    remaining: 0,
    resetSeconds: Math.max(1, Math.ceil(wait.retryAfterMs / 1000)),
  };
  if (wait?.lockedOut)
    return {
      reason: 'locked_out',
      retryAfterMs: wait.retryAfterMs,
      ...(rateLimit ? { rateLimit } : {}),
      detail: `Too many failed sign-ins for this account from this address; try again in ${Math.ceil(wait.retryAfterMs / 1000)} s.`,
    };
  if (wait)
    return {
      reason: 'rate_limited',
      retryAfterMs: wait.retryAfterMs,
      ...(rateLimit ? { rateLimit } : {}),
      detail: 'Other sign-ins for this account from this address are being checked; try again in a second.',
    };
  let valid: boolean;
  try {
    // An unknown user costs the same hash as a wrong password (no username enumeration by timing).
    valid = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
    // The second factor counts in the same attempt: a wrong one is a failure like a wrong password.
    if (valid && user && secondFactor) valid = await secondFactor(user);
  } catch (error) {
    // The hash failed: the server's failure (the caller answers 5xx), not a wrong password, and a
    // place kept would answer "busy" until the window ends, long after recovery.
    await loginProtection?.abandoned(account, clientAddress).catch(() => {});
    throw error;
  }
  if (!user || !valid) {
    if (cache) {
      failedSince.delete(plain);
      failedSince.set(plain, Date.now() + ttlMs);
      while (failedSince.size > maxFailed) failedSince.delete(failedSince.keys().next().value!);
    }
    await loginProtection?.failed(account, clientAddress);
    return secondFactor ? { ...WRONG_WITH_CODE } : { ...WRONG };
  }
  await loginProtection?.succeeded(account, clientAddress);
  if (cache) failedSince.delete(plain);
  // A pair that needed a second factor is not remembered: the password alone must not pass later.
  if (!secondFactor) cache?.set([username, password], user.passwordHash);
  return user;
}

/**
 * Sign-ins being verified, by a keyed digest of (username, password, client): never the password
 * itself. The key is this process's own, so a digest cannot be tested against guesses elsewhere.
 * Identical sign-ins in flight at once share the one verification.
 */
function verifiedOnce(verify: FullSignIn): FullSignIn {
  const flightKey = randomBytes(32);
  const flights = new Map<string, Promise<SignInResult>>();
  return (username, password, clientAddress) => {
    // The client is part of the key: a locked-out client must not ride on another's verification.
    const id = createHmac('sha256', flightKey)
      .update(JSON.stringify([username, password, clientAddressKey(clientAddress) ?? clientAddress ?? null]))
      .digest('base64url');
    const running = flights.get(id);
    // Each caller gets its own copy of a refusal (callers may add to it, e.g. the scheme's name).
    if (running) return running.then((result) => (isRefusal(result) ? { ...result } : result));
    const flight = verify(username, password, clientAddress).finally(() => flights.delete(id));
    flights.set(id, flight);
    return flight.then((result) => (isRefusal(result) ? { ...result } : result));
  };
}
