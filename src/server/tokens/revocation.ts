/**
 * Revocation (RFC 7009): a refresh token ends its whole family; an access token goes on the
 * deny-list until it would have expired. Unknown and invalid tokens are ignored.
 */
import { errors, type JWTPayload, jwtVerify } from 'jose';
import { DEFAULT_CLOCK_TOLERANCE } from '../schemes/jwt-options.ts';
import { refreshTokenHash } from './refresh-tokens.ts';
import type { TokenServiceConfig } from './token-service-options.ts';

/**
 * Whether a token is one of this service's access tokens, at any time of its life: signature,
 * iss, aud and typ, not exp, nbf or iat. A token not valid yet must be revocable too (RFC 7009
 * §2.1), and jose checks no time claim against a tolerance that spans every date.
 */
async function verifyForRevocation(config: TokenServiceConfig, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, async (header) => config.keys.verificationKey(header.kid), {
    algorithms: [config.algorithm],
    issuer: config.issuer,
    // A token for one of the service's resources (RFC 8707) is the service's as much as one for its audience.
    audience: [config.audience, ...config.resources],
    typ: 'at+jwt',
    clockTolerance: Number.MAX_SAFE_INTEGER,
  });
  return payload;
}

export async function revokeToken(
  config: TokenServiceConfig,
  token: string,
  { clientId, hint }: { clientId: string; hint?: string },
): Promise<void> {
  const { refreshTokens } = config;
  const now = Date.now();
  if (hint !== 'access_token' && token.startsWith('rt_')) {
    const record = await refreshTokens.findRefreshToken(refreshTokenHash(token));
    // RFC 7009 §2.1: only the client the token was issued to may revoke it.
    if (record && record.clientId === clientId) await refreshTokens.revokeFamily(record.familyId, now);
    return;
  }
  let payload: JWTPayload;
  try {
    payload = await verifyForRevocation(config, token);
  } catch (error) {
    // RFC 7009 §2.2: an invalid token needs no revocation. A store that could not be asked is
    // no answer about the token: say so (5xx) rather than answer 200 with nothing revoked.
    if (error instanceof errors.JOSEError) return;
    throw error;
  }
  if (payload['client_id'] !== clientId || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return;
  await config.denyList.deny(payload.jti, deniedUntil(payload.exp * 1000));
}

/**
 * How long a revoked access token that expires at `expiresAt` (ms) stays on the deny-list: until
 * the service's schemes stop taking it, which they do only `clockTolerance` (the default) past its
 * exp. Forgotten at exp itself, it would be served again for those seconds.
 */
export function deniedUntil(expiresAt: number): number {
  return expiresAt + DEFAULT_CLOCK_TOLERANCE * 1000;
}
