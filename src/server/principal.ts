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
    scopes: [...(identity.scopes ?? [])],
    roles: [...(identity.roles ?? [])],
  };
  if (identity.claims) principal.claims = identity.claims;
  return principal;
}
