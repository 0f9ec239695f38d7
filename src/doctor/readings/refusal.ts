/**
 * "The server read the credentials and refused them": the answer differs from the answer to the
 * same request without credentials, nothing says it is about permission, scope or CSRF instead,
 * and the server names no cause of its own (a step-up, a DPoP proof, a catalogue code). What was refused (a Basic pair, a JWT, anything else) picks the finding that names it.
 */

import { type BasicCredentials, carriesCredential, isReasonCode, parseAuthorization } from '../../http/index.ts';
import { secondsClaim } from '../jwt.ts';
import { audienceUnexpected } from '../rules/audience-mismatch.ts';
import { issuerUnlisted } from '../rules/issuer-mismatch.ts';
import { schemeMismatch } from '../rules/scheme-mismatch.ts';
import type { Context, DecodedJwt } from '../types.ts';
import { oauthError } from './code-redemption.ts';
import { type Comparison, compareWithout } from './comparison.ts';
import { describedAs, serverError, statusOf } from './evidence.ts';
import { scopeRefusal } from './scope-refusal.ts';
import { serverNow } from './token-times.ts';

export type Refused =
  | { kind: 'basic'; credentials: BasicCredentials }
  | { kind: 'jwt'; jwt: DecodedJwt }
  /** An opaque token, an API key, a cookie: `what` names it for a title ("the Token credential"). */
  | { kind: 'other'; what: string; scheme?: string };

export interface CredentialRefusal {
  comparison: Comparison;
  refused: Refused;
}

/** Schemes whose 401 is a step of a handshake, not a verdict on the credentials. */
const HANDSHAKES = /^(negotiate|ntlm)$/i;

export function refusal(context: Context): CredentialRefusal | undefined {
  const status = statusOf(context);
  if (status !== 401 && status !== 403) return undefined;
  const comparison = compareWithout(context);
  if (!comparison || comparison.differs.length === 0) return undefined;
  const withoutStatus = comparison.without.response?.status;
  // 401 without credentials and 403 with them: they were accepted, the permission is missing.
  if (status === 403 && withoutStatus === 401) return undefined;
  if (aboutPermission(context)) return undefined;
  if (namesAnotherCause(context)) return undefined;
  if (saysRevoked(context)) return undefined; // token_revoked names it
  // A token endpoint's invalid_client: the client's id and secret, client_authentication_failed names it.
  if (oauthError(context.primary) === 'invalid_client') return undefined;

  if (context.authorization.length > 1) return undefined; // scheme_format: one field, not two
  if (context.authorization.length === 1) {
    const parsed = parseAuthorization(context.authorization[0]);
    // Malformed credentials have rules of their own (scheme_format, credential_whitespace, basic_encoding).
    if (!parsed.ok) return undefined;
    const scheme = parsed.credentials.scheme ?? '';
    if (HANDSHAKES.test(scheme)) return undefined;
    // A scheme the server does not offer (challenge or API description): scheme_mismatch names it
    // and tries the one offered.
    if (schemeMismatch.check(context)) return undefined;
    if (parsed.credentials.kind === 'digest' && context.challenges.some((c) => /^true$/i.test(c.params['stale'] ?? '')))
      return undefined; // digest_stale_nonce
    if (parsed.credentials.kind === 'basic') {
      const { username, password } = parsed.credentials;
      if (/%[0-9A-Fa-f]{2}/.test(username + password)) return undefined; // basic_encoding
      return { comparison, refused: { kind: 'basic', credentials: parsed.credentials } };
    }
    if (parsed.credentials.kind === 'bearer' && context.jwt)
      return jwtExplainedElsewhere(context, context.jwt)
        ? undefined
        : { comparison, refused: { kind: 'jwt', jwt: context.jwt } };
    return { comparison, refused: { kind: 'other', what: `the ${scheme} credential`, scheme } };
  }
  // No Authorization: an API-key header or a cookie, each a credential the server may have read.
  const names = [...new Set(context.primary.request.headers.map(([n]) => n).filter((n) => carriesCredential(n)))];
  if (names.length === 0) return undefined;
  return {
    comparison,
    refused: { kind: 'other', what: `the ${names.join(' and ')} header${names.length > 1 ? 's' : ''}` },
  };
}

/** The server said the token was revoked: a problem code, or its description. */
export function saysRevoked(context: Context): boolean {
  return serverError(context) === 'token_revoked' || describedAs(context, /\brevoked?\b/i);
}

/**
 * A refusal for a missing permission, scope or CSRF token, not for the credentials: those have
 * rules of their own (insufficient_scope, unauthorized_instead_of_403, the CSRF and permission ones).
 */
function aboutPermission(context: Context): boolean {
  const error = serverError(context);
  if (error === 'insufficient_scope' || error === 'forbidden') return true;
  if (/csrf/i.test(context.primary.response?.body ?? '')) return true;
  if (describedAs(context, /permission|privilege|insufficient.scope/i)) return true;
  // A scope refusal in any shape (FastAPI's `scope=` challenge with no error code included) is
  // insufficient_scope's, read in one place.
  return scopeRefusal(context) !== undefined;
}

/** Challenge errors that name a cause of their own: RFC 9470 §3's step-up, RFC 9449 §7.1's proof errors. */
const SPECIFIC_ERRORS = new Set(['insufficient_user_authentication', 'invalid_dpop_proof', 'use_dpop_nonce']);

/**
 * Whether the server named a cause more specific than "these credentials are not valid": a
 * catalogue code other than credentials_invalid (its rule, or server_reason, explains it), or a
 * challenge error of its own kind. The credentials may be good: a step-up refusal is for a good one.
 */
function namesAnotherCause(context: Context): boolean {
  const code = context.problem?.['code'];
  if (isReasonCode(code)) return code !== 'credentials_invalid';
  return context.challenges.some((c) => SPECIFIC_ERRORS.has(c.params['error']?.toLowerCase() ?? ''));
}

/** A JWT whose refusal another rule already explains: its times, `alg: none`, its audience or issuer, its key. */
function jwtExplainedElsewhere(context: Context, jwt: DecodedJwt): boolean {
  const { now } = serverNow(context);
  const exp = secondsClaim(jwt, 'exp');
  const nbf = secondsClaim(jwt, 'nbf');
  if ((exp !== undefined && exp * 1000 <= now) || (nbf !== undefined && nbf * 1000 > now)) return true;
  if (String(jwt.header['alg'] ?? '').toLowerCase() === 'none') return true;
  const error = serverError(context);
  if (error === 'token_audience_mismatch' || error === 'token_issuer_mismatch') return true;
  if (describedAs(context, /audience|\baud\b|issuer|\biss\b/i)) return true;
  const published = context.issuerMetadata?.['issuer'];
  if (typeof published === 'string' && published !== jwt.payload['iss']) return true;
  if (audienceUnexpected(context) || issuerUnlisted(context)) return true;
  return signatureDisproved(context);
}

/** Whether the signature check here failed for a cause token_signature_invalid reports. */
export function signatureDisproved(context: Context): boolean {
  const verification = context.verification;
  if (verification?.result.outcome !== 'invalid') return false;
  // With the issuer's own key set, a kid it lacks and an algorithm its keys cannot serve are
  // kid_not_in_jwks and alg_not_allowed; what is left is a signature none of its keys verifies.
  return verification.by === 'given' || verification.result.code === 'signature_invalid';
}
