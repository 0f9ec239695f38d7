import type { Identity } from '../stores/lookups.ts';

/** Who made a request, once a scheme has verified it. */
export interface Principal {
  /** The stable identifier: a user id, a JWT `sub`, a key id. */
  id: string;
  /** Which scheme verified it: `basic`, `bearer`, `apiKey`, `session`, `signature`. */
  scheme: string;
  scopes: string[];
  roles: string[];
  /** Verified claims of a JWT, or what a lookup returned; never the credential itself. */
  claims?: Record<string, unknown>;
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
