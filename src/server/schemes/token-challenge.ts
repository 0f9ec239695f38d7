/**
 * What the challenge of a scheme that takes OAuth access tokens (Bearer, DPoP) says of a refusal,
 * written once so that both schemes say the same of every reason: RFC 6750 §3.1's invalid_request
 * and insufficient_scope, RFC 9470 §3's insufficient_user_authentication, and the error of a
 * refusal of the scheme's own verification, which the scheme names (DPoP's are RFC 9449 §7.1's).
 */

import { errorDescription } from '../error-description.ts';
import type { Refusal } from '../refusal.ts';

/** The error a scheme's challenge gives a refusal of its own verification, and its description. */
export interface OwnError {
  error: string;
  description?: string | undefined;
}

/**
 * The error parameters of `scheme`'s challenge for `refusal`; none without a refusal, and none for
 * another scheme's refusal: RFC 6750 §3.1, no error code when the request carried no credentials.
 */
export function tokenErrorParams(
  scheme: string,
  refusal: Refusal | undefined,
  ownError: (refusal: Refusal) => OwnError,
): Record<string, string> {
  if (refusal === undefined) return {};
  if (refusal.reason === 'credentials_malformed') return { error: 'invalid_request' };
  if (refusal.reason === 'insufficient_user_authentication') {
    // RFC 9470 §3: what sign-in the resource needs, for the client to ask the authorization server.
    const params: Record<string, string> = {
      error: 'insufficient_user_authentication',
      error_description: 'A stronger or more recent sign-in is needed',
    };
    if (refusal.acrValues?.length) params['acr_values'] = refusal.acrValues.join(' ');
    if (refusal.maxAge !== undefined) params['max_age'] = String(refusal.maxAge);
    return params;
  }
  if (refusal.reason === 'insufficient_scope') {
    // RFC 6750 §3.1: the scope the resource needs.
    const params: Record<string, string> = { error: 'insufficient_scope' };
    if (refusal.scope?.length) params['scope'] = refusal.scope.join(' ');
    return params;
  }
  if (refusal.scheme !== scheme) return {};
  const { error, description } = ownError(refusal);
  return description === undefined ? { error } : { error, error_description: errorDescription(description) };
}
