/** A token as the client keeps it, and how it is read from a token endpoint's answer. */
import { parseHttpDate } from '../../http/index.ts';
import { decodeJwt } from '../../http/jwt.ts';

export interface Token {
  accessToken: string;
  /** As the issuer names it; `Bearer` unless said otherwise. */
  tokenType?: string;
  /** When the token expires, in ms since the epoch, on the local clock. */
  expiresAt?: number;
  /** When the token was issued, in ms since the epoch, on the local clock: its lifetime sizes the refresh skew. */
  issuedAt?: number;
  /** For oauth2RefreshToken: the refresh token to use next (rotated ones replace it). */
  refreshToken?: string;
  scope?: string;
}

/** The fields of an OAuth 2.0 token response (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number | string;
  refresh_token?: string;
  scope?: string;
}

// Below this, a gap between the response's Date and the local clock is latency (or a clock off
// by a little); above it, a clock off by a lot, which must not make every token look expired.
const LATENCY_WINDOW = 5 * 60_000; // ms

/**
 * Builds a Token from a token response (RFC 6749 §5.1). The lifetime counts from the moment the
 * issuer dated its response, not from when a slow answer arrived: `expires_in` runs from the
 * response's Date when that Date is within five minutes behind the local clock. A Date further
 * off means the clocks disagree; then the lifetime runs from arrival, and the measured offset
 * converts a JWT's own `exp` (used when there is no expires_in) to the local clock.
 */
export function tokenFromResponse(
  body: TokenResponse,
  responseDate: string | null | undefined,
  now = Date.now(),
): Token {
  const dated = parseHttpDate(responseDate, { now });
  const offset = dated === undefined ? 0 : dated - now;
  const issuedAt = dated !== undefined && offset <= 0 && -offset <= LATENCY_WINDOW ? dated : now;
  const token: Token = { accessToken: body.access_token, tokenType: body.token_type ?? 'Bearer' };
  const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn >= 0)
    token.expiresAt = issuedAt + expiresIn * 1000;
  else {
    const exp = jwtExpiry(body.access_token);
    if (exp !== undefined) token.expiresAt = exp - (Math.abs(offset) > LATENCY_WINDOW ? offset : 0);
  }
  if (token.expiresAt !== undefined) token.issuedAt = issuedAt;
  if (typeof body.refresh_token === 'string' && body.refresh_token) token.refreshToken = body.refresh_token;
  if (typeof body.scope === 'string') token.scope = body.scope;
  return token;
}

/**
 * Whether the token expires within the refresh skew on the local clock. The skew is `skewMs`, or
 * a tenth of the token's lifetime when that is shorter: a 20 s token is refreshed in its last 2 s,
 * not fetched anew on every call because it lives less than a 30 s skew.
 */
export function isExpiring(token: Token, skewMs: number, now = Date.now()): boolean {
  if (token.expiresAt === undefined) return false;
  const lifetime = token.issuedAt === undefined ? undefined : token.expiresAt - token.issuedAt;
  const skew = lifetime !== undefined && lifetime >= 0 ? Math.min(skewMs, lifetime / 10) : skewMs;
  return now + skew >= token.expiresAt;
}

/** The `exp` of a JWT, in ms, read without verifying (the issuer's API verifies). */
export function jwtExpiry(token: string): number | undefined {
  const exp = decodeJwt(token)?.payload['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** Checks that a value read from a store or a callback is a usable `Token` object. */
export function isTokenObject(value: unknown): value is Token {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Token).accessToken === 'string' &&
    (value as Token).accessToken.length > 0
  );
}
