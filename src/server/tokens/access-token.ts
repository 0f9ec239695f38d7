/**
 * Access tokens: JWTs typed at+jwt (RFC 9068), signed with the service's newest key, carrying the
 * scope granted and only the roles that scope holds; and the pair a grant answers with.
 */
import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import type { Identity } from '../../stores/lookups.ts';
import { grantedRoles } from './role-scopes.ts';
import type { TokenServiceConfig } from './token-service-options.ts';

export interface TokenPair {
  access_token: string;
  /** `DPoP` for a token bound to a proof key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/**
 * What a grant may fix about an access token ahead of signing: its `jti` (an authorization code's
 * first redemption, so that a replay can deny it, RFC 6749 §4.1.2) and its `aud` (the resources of
 * RFC 8707 §2; the service's default audience without one).
 */
export interface AccessTokenClaims {
  jti?: string;
  audience?: string | string[];
  /** How the user signed in: the `acr` claim a resource can require (RFC 9470 §3). */
  acr?: string;
  /** When the user signed in, seconds since the epoch: the `auth_time` claim (RFC 9470 §3). */
  authTime?: number;
  /** The JWK SHA-256 thumbprint of the DPoP key the token is bound to (RFC 9449 §6.1 `cnf.jkt`). */
  jkt?: string;
}

export async function signAccessToken(
  config: TokenServiceConfig,
  subject: Identity,
  clientId: string,
  scope: string,
  expiresAt = Date.now() + config.accessTtl * 1000,
  notBefore?: number,
  fixed: AccessTokenClaims = {},
): Promise<string> {
  const { algorithm } = config;
  const { key, kid } = await config.keys.signingKey();
  const claims: JWTPayload = { scope, client_id: clientId };
  // Only the roles the grant holds (role:R): a down-scoped token carries no more than it was granted.
  const roles = grantedRoles(subject.roles ?? [], scope);
  if (roles.length > 0) claims['roles'] = roles;
  // RFC 9470 §3 (OpenID Connect Core §2): the sign-in's level and time, for requireAuthLevel.
  if (fixed.acr !== undefined) claims['acr'] = fixed.acr;
  if (fixed.authTime !== undefined) claims['auth_time'] = fixed.authTime;
  if (fixed.jkt !== undefined) claims['cnf'] = { jkt: fixed.jkt };
  let jwt = new SignJWT(claims)
    .setProtectedHeader(kid ? { alg: algorithm, kid, typ: 'at+jwt' } : { alg: algorithm, typ: 'at+jwt' })
    .setSubject(subject.id)
    .setIssuer(config.issuer)
    .setAudience(fixed.audience ?? config.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .setJti(fixed.jti ?? randomUUID());
  if (notBefore !== undefined) jwt = jwt.setNotBefore(Math.floor(notBefore / 1000));
  return jwt.sign(key);
}

/** A new access token, with the refresh token given (if any): what a grant answers. */
export async function tokenPair(
  config: TokenServiceConfig,
  subject: Identity,
  clientId: string,
  scope: string,
  refresh: string | undefined,
  fixed: AccessTokenClaims = {},
): Promise<TokenPair> {
  const result: TokenPair = {
    access_token: await signAccessToken(config, subject, clientId, scope, undefined, undefined, fixed),
    token_type: fixed.jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: config.accessTtl,
    scope,
  };
  if (refresh) result.refresh_token = refresh;
  return result;
}
