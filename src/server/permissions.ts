/**
 * Authorization after authentication: predicates on the principal, composed with allOf/anyOf.
 * A missing scope is `insufficient_scope` and a missing role `forbidden`: both 403, never 401; a
 * sign-in too weak or too old is `insufficient_user_authentication`, 401 (RFC 9470 §3).
 */
import { invalidArgument } from '../http/argument-error.ts';
import type { MaybePromise } from '../http/maybe-promise.ts';
import type { Principal } from './principal.ts';
import type { Refusal } from './refusal.ts';
import type { RequestView } from './request-view.ts';
import { DEFAULT_CLOCK_TOLERANCE } from './schemes/jwt-options.ts';

export type PermissionResult = true | Refusal;

export interface Permission {
  check(principal: Principal, request: RequestView): MaybePromise<PermissionResult>;
  /** What the permission asks for, for OpenAPI security requirements. */
  readonly requires: { scopes: readonly string[]; roles: readonly string[] };
}

/** Needs every scope listed (RFC 6750 §3.1 insufficient_scope when one is missing). */
export function requireScopes(...scopes: string[]): Permission {
  if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    throw invalidArgument(
      'requireScopes(...scopes): scopes are non-empty strings without spaces, quotes or backslashes (RFC 6749 §3.3)',
    );
  }
  return {
    requires: { scopes, roles: [] },
    check(principal) {
      const missing = scopes.filter((s) => !principal.scopes.includes(s));
      return missing.length === 0
        ? true
        : {
            reason: 'insufficient_scope',
            scope: scopes,
            detail: `This needs scope ${missing.map((s) => `"${s}"`).join(', ')}.`,
          };
    },
  };
}

/** Needs every role listed. */
export function requireRoles(...roles: string[]): Permission {
  if (roles.length === 0 || roles.some((r) => typeof r !== 'string' || !r))
    throw invalidArgument('requireRoles(...roles): roles are non-empty strings');
  return {
    requires: { scopes: [], roles },
    check(principal) {
      const missing = roles.filter((r) => !principal.roles.includes(r));
      return missing.length === 0
        ? true
        : { reason: 'forbidden', detail: `This needs role ${missing.map((r) => `"${r}"`).join(', ')}.` };
    },
  };
}

/** What `requireAuthLevel` asks of the user's sign-in (RFC 9470 §3). */
export interface AuthLevel {
  /** Authentication context classes, any one of which will do (the token's `acr` claim). */
  acr?: string | readonly string[];
  /**
   * At most this many seconds since the user signed in (the token's `auth_time` claim); an
   * `auth_time` more than 5 s ahead of this server's clock is refused too.
   */
  maxAge?: number;
}

// RFC 9470 §3: acr_values is a space-separated list, so no value holds a space, quote or backslash.
const ACR_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Needs a sign-in strong enough (`acr`) and recent enough (`maxAge`), read from the token's `acr`
 * and `auth_time` claims; otherwise 401 insufficient_user_authentication, whose challenge names
 * `acr_values` and `max_age` so the client can sign the user in again at that level.
 * @see https://www.rfc-editor.org/rfc/rfc9470#section-3
 */
export function requireAuthLevel(level: AuthLevel): Permission {
  const acr = typeof level?.acr === 'string' ? [level.acr] : level?.acr;
  const maxAge = level?.maxAge;
  if (acr === undefined && maxAge === undefined)
    throw invalidArgument('requireAuthLevel({ acr, maxAge }): give acr, maxAge or both');
  if (
    acr !== undefined &&
    (!Array.isArray(acr) || acr.length === 0 || acr.some((a) => typeof a !== 'string' || !ACR_VALUE.test(a)))
  )
    throw invalidArgument(
      'requireAuthLevel({ acr }): acr is a non-empty string, or a list of them, without spaces, quotes or backslashes',
    );
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0))
    throw invalidArgument('requireAuthLevel({ maxAge }): maxAge is a whole number of seconds, 0 or more');
  const wanted = { ...(acr ? { acrValues: [...acr] } : {}), ...(maxAge !== undefined ? { maxAge } : {}) };
  return {
    requires: { scopes: [], roles: [] },
    check(principal) {
      const claimed = principal.claims?.['acr'];
      const authTime = principal.claims?.['auth_time'];
      if (acr && (typeof claimed !== 'string' || !acr.includes(claimed)))
        return {
          reason: 'insufficient_user_authentication',
          ...wanted,
          detail: `This needs a sign-in of level ${acr.map((a) => `"${a}"`).join(' or ')}.`,
        };
      if (maxAge !== undefined) {
        const age = typeof authTime === 'number' ? Date.now() / 1000 - authTime : Number.POSITIVE_INFINITY;
        // A sign-in cannot be later than now: an auth_time ahead of the clock by more than the
        // schemes forgive for iat and exp (a skewed or buggy issuer) would pass maxAge for ever.
        if (age < -DEFAULT_CLOCK_TOLERANCE)
          return {
            reason: 'insufficient_user_authentication',
            ...wanted,
            detail: `The token's auth_time is in the future: sign in again, and check the issuer's clock. This needs a sign-in no older than ${maxAge} seconds.`,
          };
        if (!(age <= maxAge))
          return {
            reason: 'insufficient_user_authentication',
            ...wanted,
            detail: `This needs a sign-in no older than ${maxAge} seconds.`,
          };
      }
      return true;
    },
  };
}

/** A predicate of your own; false is `forbidden` with your detail. */
export function allow(
  predicate: (principal: Principal, request: RequestView) => MaybePromise<boolean>,
  detail = 'You are not allowed to do this.',
): Permission {
  if (typeof predicate !== 'function') throw invalidArgument('allow(predicate): predicate must be a function');
  return {
    requires: { scopes: [], roles: [] },
    async check(principal, request) {
      return (await predicate(principal, request)) ? true : { reason: 'forbidden', detail };
    },
  };
}

export function allOf(...permissions: Permission[]): Permission {
  return {
    requires: merge(permissions),
    async check(principal, request) {
      for (const permission of permissions) {
        const result = await permission.check(principal, request);
        if (result !== true) return result;
      }
      return true;
    },
  };
}

/** Passes when one passes; otherwise reports the first refusal. */
export function anyOf(...permissions: Permission[]): Permission {
  if (permissions.length === 0) throw invalidArgument('anyOf(...permissions): give at least one');
  return {
    requires: merge(permissions.slice(0, 1)),
    async check(principal, request) {
      let first: Refusal | undefined;
      for (const permission of permissions) {
        const result = await permission.check(principal, request);
        if (result === true) return true;
        first ??= result;
      }
      return first!;
    },
  };
}

function merge(permissions: Permission[]): Permission['requires'] {
  return {
    scopes: [...new Set(permissions.flatMap((p) => p.requires.scopes))],
    roles: [...new Set(permissions.flatMap((p) => p.requires.roles))],
  };
}
