/**
 * HTTP Basic (RFC 7617), verified by the one sign-in (sign-in.ts): stored argon2id/scrypt hashes,
 * the dummy hash for an unknown user, login protection when given, and the user's current record
 * on every request. Verified pairs are remembered briefly, which spares the hash, never the lookup.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import type { BasicCredentials } from '../../http/index.ts';
import { isPending, whenSettled } from '../../http/maybe-promise.ts';
import type { UserLookup } from '../../stores/lookups.ts';
import type { VerifiedCache, VerifiedCacheOptions } from '../credentials/verified-cache.ts';
import type { LoginProtection } from '../login-protection.ts';
import { type Principal, principalOf } from '../principal.ts';
import { isRefusal, type Refusal } from '../refusal.ts';
import { fromAuthorization, type Scheme } from '../scheme.ts';
import { createGuardSignIn, type SignInResult } from '../sign-in.ts';

export interface BasicSchemeOptions {
  users: UserLookup;
  /** Counts attempts per (username, client address) and locks out (429 locked_out); none by default. */
  loginProtection?: LoginProtection;
  /** Remember verified credentials for a while; false hashes on every request. @default { ttlMs: 60_000, maxEntries: 10_000 } */
  cache?: VerifiedCacheOptions | false;
}

export function basicScheme(options: BasicSchemeOptions): Scheme<BasicCredentials> & {
  readonly cache: VerifiedCache<string> | undefined;
} {
  if (!options?.users || typeof options.users.findUserByName !== 'function')
    throw invalidArgument('basicScheme: users must have findUserByName(username)');
  const signIn = createGuardSignIn({
    users: options.users,
    cache: options.cache ?? {},
    ...(options.loginProtection ? { loginProtection: options.loginProtection } : {}),
  });
  // Each request gets its own principal, built from the user as the store holds it now.
  const principal = (result: SignInResult): Principal | Refusal =>
    isRefusal(result) ? { ...result, scheme: 'basic' } : principalOf(result, 'basic');

  return {
    name: 'basic',
    precedence: 30,
    authorizationSchemes: ['basic'],
    cache: signIn.cache,
    detect: (request) => fromAuthorization(request, 'basic', 'basic'),
    // Synchronous when the lookup is and the pair verified recently: no promise on the hot path.
    // The request's address is read only for a full sign-in, which counts it.
    verify({ username, password }, request) {
      const result = signIn.verifyFrom(username, password, request);
      return isPending(result) ? whenSettled(result, principal) : principal(result);
    },
    // RFC 7617 §2.1: charset="UTF-8" tells clients how to encode non-ASCII credentials.
    challenge: (realm) => ({ scheme: 'Basic', params: { realm, charset: 'UTF-8' } }),
    openapi: () => ({ type: 'http', scheme: 'basic' }),
  };
}
