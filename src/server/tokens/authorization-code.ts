/**
 * Authorization codes (RFC 6749 §4.1.2): issued once the user has signed in and consented, kept
 * only as a digest, good for one short-lived redemption bound to a PKCE challenge (RFC 7636). The
 * refresh-token family and the access token's jti of that redemption are fixed here, at issue, so
 * that a replay can revoke exactly what the first redemption issued (RFC 6749 §4.1.2).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../../stores/lookups.ts';
import type { AuthorizationCodeStore } from '../../stores/types.ts';

/** What the authorize endpoint settled: the request, checked, and who the user is. */
export interface CodeGrantRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  /** Space-separated scopes granted. */
  scope: string;
  resources: string[];
  state?: string;
  /** How the user signed in this time (RFC 9470 §3 `acr`). */
  acr?: string;
  /** When the user signed in, seconds since the epoch (`auth_time`). */
  authTime?: number;
  /** RFC 9449 §10: the DPoP key (its thumbprint) whose proof alone may redeem the code. */
  dpopJkt?: string;
}

/** How a code is found in the store: it is kept only as this digest. */
export const codeHash = (code: string) => createHash('sha256').update(code).digest('hex');

/**
 * Issues a code for `request` and stores it: 32 random bytes, base64url; refused after `ttlMs`,
 * and its record kept `keepMs` longer so that a replay is still recognised.
 */
export async function issueCode(
  codes: AuthorizationCodeStore,
  user: Identity,
  request: CodeGrantRequest,
  { ttlMs, keepMs }: { ttlMs: number; keepMs: number },
): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  const now = Date.now();
  await codes.insertAuthorizationCode({
    hash: codeHash(code),
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    subject: user.id,
    roles: [...(user.roles ?? [])],
    scope: request.scope,
    resources: [...request.resources],
    familyId: randomUUID(),
    accessTokenJti: randomUUID(),
    createdAt: now,
    expiresAt: now + ttlMs,
    keepUntil: now + ttlMs + keepMs,
    ...(request.acr !== undefined ? { acr: request.acr } : {}),
    ...(request.authTime !== undefined ? { authTime: request.authTime } : {}),
    ...(request.dpopJkt !== undefined ? { dpopJkt: request.dpopJkt } : {}),
  });
  return code;
}

// RFC 7636 §4.1: code_verifier = 43*128unreserved; §4.2: code_challenge (S256) is the base64url
// of a SHA-256, 43 characters without padding.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Whether `value` can be an S256 code_challenge (RFC 7636 §4.2). */
export const isS256Challenge = (value: string) => S256_CHALLENGE.test(value);

/** Whether `verifier` has the form RFC 7636 §4.1 requires. */
export const isCodeVerifier = (verifier: string) => VERIFIER.test(verifier);

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
