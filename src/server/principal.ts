import type { Identity } from '../stores/lookups.ts';

/** Who made a request, once a scheme has verified it. */
export interface Principal {
  /** The stable identifier: a user id, a JWT `sub`, a key id. */
  id: string;
  /** Which scheme verified it: `basic`, `bearer`, `apiKey`, `session`, `signature`. */
  scheme: string;
  scopes: string[];
  roles: string[];
  /**
   * Verified claims of a JWT, or what a lookup returned; never the credential itself. Read-only: a
   * token's claims are shared by every request that carries it (and read by revocation), so they
   * are frozen, nested objects and arrays included (frozenClaims).
   */
  claims?: Readonly<Record<string, unknown>>;
}

export function principalOf(identity: Identity, scheme: string): Principal {
  const principal: Principal = {
    id: identity.id,
    scheme,
    // Copies, so a handler that changes its principal's lists changes no other request's.
    scopes: copied(identity.scopes),
    roles: copied(identity.roles),
  };
  if (identity.claims) principal.claims = identity.claims;
  return principal;
}

/** A list's copy: slice() for an array (what stores and schemes give), a spread for any other iterable, as before. */
function copied(list: Iterable<string> | undefined): string[] {
  if (list === undefined || list === null) return [];
  return Array.isArray(list) ? list.slice() : [...list];
}

/**
 * Freezes a verified token's claims, every object and array within them too, and returns them.
 * Invariant: the claims a scheme remembers for a token (a cached JWT payload, an introspection
 * answer) are read by every later request with that token and by revocation (`isRevoked`), so no
 * handler may change them: a write throws (modules are strict mode) instead of reaching another
 * request. Iterative, so a deeply nested claim cannot exhaust the stack.
 */
export function frozenClaims<T extends object>(claims: T): T {
  const pending: object[] = [claims];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const value of Object.values(next)) if (typeof value === 'object' && value !== null) pending.push(value);
  }
  return claims;
}
