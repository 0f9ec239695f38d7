/**
 * What the token service knows of a token it issued (RFC 7662 §2.2): for an access token, its
 * verified claims while it is valid and not on the deny-list; for a refresh token, its record
 * while it is current (not rotated out), unrevoked and unexpired. Anything else is not active.
 */
import { errors, type JWTPayload, jwtVerify } from 'jose';
import { refreshTokenHash } from './refresh-tokens.ts';
import type { TokenServiceConfig } from './token-service-options.ts';

/** An active token as introspection sees it. */
export interface TokenIntrospection {
  /** Which kind of token it is: an RFC 7662 `token_type_hint` value. */
  kind: 'access_token' | 'refresh_token';
  /** The client it was issued to. */
  clientId: string;
  /**
   * The members of the introspection answer besides `active` (RFC 7662 §2.2): scope, client_id,
   * sub, exp, iat, nbf, aud, iss, jti and token_type (DPoP, with `cnf.jkt`, for a token bound to
   * a DPoP key: RFC 9449 §6.2), as the token has them.
   */
  claims: Record<string, unknown>;
}

/**
 * The token, if it is active now; undefined for one that is unknown, expired, not yet valid,
 * revoked, rotated out, or not this service's. A store or key store that fails throws (the
 * server's failure): that is no answer about the token.
 */
export async function introspectToken(
  config: TokenServiceConfig,
  token: string,
): Promise<TokenIntrospection | undefined> {
  if (typeof token !== 'string' || !token) return undefined;
  // RFC 7662 §2.1: token_type_hint is only a hint; the token's own shape says which it is.
  return token.startsWith('rt_') ? refreshIntrospection(config, token) : accessIntrospection(config, token);
}

async function refreshIntrospection(
  config: TokenServiceConfig,
  token: string,
): Promise<TokenIntrospection | undefined> {
  const record = await config.refreshTokens.findRefreshToken(refreshTokenHash(token));
  const now = Date.now();
  if (!record || record.familyRevoked || record.rotatedAt !== undefined || record.expiresAt <= now) return undefined;
  return {
    kind: 'refresh_token',
    clientId: record.clientId,
    claims: {
      scope: record.scope,
      client_id: record.clientId,
      sub: record.subject,
      iss: config.issuer,
      iat: Math.floor(record.createdAt / 1000),
      exp: Math.floor(record.expiresAt / 1000),
    },
  };
}

async function accessIntrospection(config: TokenServiceConfig, token: string): Promise<TokenIntrospection | undefined> {
  let payload: JWTPayload;
  try {
    // Signature, iss and typ say it is this service's access token; its aud may name any resource
    // this service issues for (RFC 8707), so none is required here. No clock tolerance: an
    // introspection answer says whether the token is active now.
    ({ payload } = await jwtVerify(token, async (header) => config.keys.verificationKey(header.kid), {
      algorithms: [config.algorithm],
      issuer: config.issuer,
      typ: 'at+jwt',
      requiredClaims: ['exp', 'sub', 'jti'],
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
  const clientId = payload['client_id'];
  if (typeof clientId !== 'string' || typeof payload.jti !== 'string') return undefined;
  if (await config.denyList.isDenied(payload.jti)) return undefined;
  // RFC 9449 §6.2: a token bound to a DPoP key is introspected as one, with the key's thumbprint,
  // so that a resource server never takes it as a Bearer token without its proof.
  const jkt = (payload['cnf'] as { jkt?: unknown } | undefined)?.jkt;
  const claims: Record<string, unknown> = { token_type: typeof jkt === 'string' ? 'DPoP' : 'Bearer' };
  for (const name of ['scope', 'client_id', 'sub', 'exp', 'iat', 'nbf', 'aud', 'iss', 'jti', 'roles'])
    if (payload[name] !== undefined) claims[name] = payload[name];
  if (typeof jkt === 'string') claims['cnf'] = { jkt };
  return { kind: 'access_token', clientId, claims };
}
