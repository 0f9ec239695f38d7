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

/** What a store or callback returns for a known identity; the scheme fills in `scheme`. */
export interface Identity {
  id: string;
  scopes?: readonly string[];
  roles?: readonly string[];
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
