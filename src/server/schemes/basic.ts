/**
 * HTTP Basic (RFC 7617), verified against stored argon2id/scrypt hashes. An unknown user costs
 * the same hash as a wrong password. Verified pairs are remembered briefly (see verified-cache.ts).
 */
import { invalidArgument } from '../../http/argument-error.ts';
import type { BasicCredentials } from '../../http/index.ts';
import { verifyAgainstDummy, verifyPassword } from '../credentials/password-hash.ts';
import { VerifiedCache, type VerifiedCacheOptions } from '../credentials/verified-cache.ts';
import type { UserLookup, UserRecord } from '../lookups.ts';
import { type Principal, principalOf } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import { fromAuthorization, isPromiseLike, type Scheme } from '../scheme.ts';

export interface BasicSchemeOptions {
  users: UserLookup;
  /** Remember verified credentials for a while; false hashes on every request. @default { ttlMs: 60_000, maxEntries: 10_000 } */
  cache?: VerifiedCacheOptions | false;
}

export function basicScheme(options: BasicSchemeOptions): Scheme<BasicCredentials> & {
  readonly cache: VerifiedCache<{ principal: Principal; passwordHash: string }> | undefined;
} {
  if (!options?.users || typeof options.users.findUserByName !== 'function')
    throw invalidArgument('basicScheme: users must have findUserByName(username)');
  // Keyed on the pair; each entry keeps the stored hash it was verified against, so a changed
  // password (a new stored hash) misses at once without lengthening what is hashed per request.
  const cache =
    options.cache === false
      ? undefined
      : new VerifiedCache<{ principal: Principal; passwordHash: string }>(options.cache ?? {});
  const wrong: Refusal = {
    reason: 'credentials_invalid',
    scheme: 'basic',
    detail: 'The username or password is wrong.',
  };
  function check(
    user: UserRecord | undefined,
    username: string,
    password: string,
  ): Principal | Refusal | Promise<Principal | Refusal> {
    // An unknown user costs the same hash as a wrong password (no username enumeration by timing).
    if (!user) return verifyAgainstDummy(password).then(() => ({ ...wrong }));
    const parts = [username, password];
    const known = cache?.get(parts);
    // Each request gets its own principal: a handler that changes its lists changes no other request's.
    if (known && known.passwordHash === user.passwordHash) return principalOf(known.principal, 'basic');
    const { passwordHash } = user;
    return verifyPassword(password, passwordHash).then((ok) => {
      if (!ok) return { ...wrong };
      const principal = principalOf(user, 'basic');
      cache?.set(parts, { principal, passwordHash });
      return principal;
    });
  }

  return {
    name: 'basic',
    precedence: 30,
    authorizationSchemes: ['basic'],
    cache,
    detect: (request) => fromAuthorization(request, 'basic', 'basic'),
    // Synchronous when the lookup is and the pair verified recently: no promise on the hot path.
    verify({ username, password }) {
      const found = options.users.findUserByName(username);
      return isPromiseLike(found)
        ? Promise.resolve(found).then((user) => check(user, username, password))
        : check(found, username, password);
    },
    // RFC 7617 §2.1: charset="UTF-8" tells clients how to encode non-ASCII credentials.
    challenge: (realm) => ({ scheme: 'Basic', params: { realm, charset: 'UTF-8' } }),
    openapi: () => ({ type: 'http', scheme: 'basic' }),
  };
}
