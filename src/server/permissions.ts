/**
 * Authorization after authentication: predicates on the principal, composed with allOf/anyOf.
 * A missing scope is `insufficient_scope` and a missing role `forbidden`: both 403, never 401.
 */
import { invalidArgument } from '../http/argument-error.ts';
import type { MaybePromise } from '../http/maybe-promise.ts';
import type { Principal } from './principal.ts';
import type { Refusal } from './refusal.ts';
import type { RequestView } from './request-view.ts';

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
