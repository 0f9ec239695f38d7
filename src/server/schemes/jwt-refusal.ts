/** What a JWT that jose refused is refused for: a reason from the catalogue, and a detail for a person. */
import { errors } from 'jose';
import type { Refusal } from '../refusal.ts';

export function reasonOf(error: unknown): Refusal['reason'] {
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return 'token_not_yet_valid';
    if (error.claim === 'aud') return 'token_audience_mismatch';
    if (error.claim === 'iss') return 'token_issuer_mismatch';
  }
  return 'credentials_invalid';
}

// Messages of our own: jose's are fine, but we say what to do and never quote the token.
export function detailOf(error: unknown): string {
  if (error instanceof errors.JWTExpired)
    return `The access token expired at ${isoOf(error.payload.exp)} by the server's clock.`;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf')
      return `The access token is not valid before ${isoOf(error.payload.nbf)} by the server's clock.`;
    if (error.claim === 'aud') return 'The access token was issued for another audience.';
    if (error.claim === 'iss') return 'The access token comes from an issuer this API does not trust.';
    if (error.reason === 'missing')
      return error.claim === 'exp'
        ? 'The access token has no expiry (exp); this API accepts only tokens that expire (RFC 9068 §2.2).'
        : `The access token has no ${error.claim} claim, which this API requires.`;
    if (error.claim === 'typ')
      return 'The token is not typed as an access token this API accepts (JOSE header typ, e.g. at+jwt: RFC 9068 §4).';
    return `The access token's ${error.claim} claim is not acceptable.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'The access token is signed with an algorithm this API does not accept.';
  if (error instanceof errors.JWKSNoMatchingKey) return 'No key of the issuer matches the access token (kid).';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The access token signature does not verify.';
  return 'The access token is not a valid JWT.';
}

export function isoOf(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : 'an unknown time';
}

/**
 * Why a token is refused for its binding (RFC 9449 §7.1: a token bound to a key, `cnf.jkt`, is
 * never a bearer token, and the DPoP scheme takes only bound ones), advising only a scheme the
 * guard answering takes (`accepts`, lower-case); otherwise how to get a token of the other kind.
 */
export function bindingDetail(bound: boolean, accepts: (scheme: string) => boolean): string {
  if (bound)
    return accepts('dpop')
      ? 'The access token is bound to a DPoP key: send it as "Authorization: DPoP" with a DPoP proof signed by that key (RFC 9449 §7.1).'
      : 'The access token is bound to a DPoP key, and this endpoint takes no DPoP: ask for a token without a DPoP proof in the token request, and send that one as "Authorization: Bearer" (RFC 9449 §7.1).';
  return accepts('bearer')
    ? 'The access token is not bound to a DPoP key: send it as "Authorization: Bearer".'
    : 'The access token is not bound to a DPoP key, and this endpoint takes only bound ones: ask for a token with a DPoP proof in the token request (RFC 9449 §5), and send it with a proof of the same key.';
}
