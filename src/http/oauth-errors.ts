/**
 * The OAuth error catalogue: every `error` code an OAuth endpoint answers with (RFC 6749 §4.1.2.1
 * and §5.2, RFC 8707 §2, RFC 7009 §2.2.1, RFC 6750 §3.1), once, with the clause that defines it and
 * one sentence for the caller. The token, authorize, introspection and revocation endpoints answer
 * these codes; the client's token errors and the doctor's findings explain them from here.
 * Add codes here, never inline elsewhere.
 */

export interface OAuthError {
  /** The `error` member (or query parameter, for the authorize endpoint). */
  readonly code: string;
  /** Where the code is defined. */
  readonly defined: string;
  /** What it means, in one line. */
  readonly title: string;
  /** One sentence for the caller: what to do about it. */
  readonly hint: string;
}

function entry<const C extends string>(
  code: C,
  defined: string,
  title: string,
  hint: string,
): OAuthError & { code: C } {
  return Object.freeze({ code, defined, title, hint });
}

export const oauthErrors = Object.freeze({
  invalid_request: entry(
    'invalid_request',
    'RFC 6749 §5.2',
    'The request is missing a parameter or repeats one',
    'Send each required parameter once, form-encoded (application/x-www-form-urlencoded).',
  ),
  invalid_client: entry(
    'invalid_client',
    'RFC 6749 §5.2',
    'The client could not be authenticated',
    'Check the client id and secret, and send them one way only: HTTP Basic or client_secret_post, not both.',
  ),
  invalid_grant: entry(
    'invalid_grant',
    'RFC 6749 §5.2',
    'The grant is invalid, expired, revoked or used',
    'Start the grant again: a code is good once and for a short time, with the redirect_uri and code_verifier of its own request; a refresh token only until it is rotated.',
  ),
  unauthorized_client: entry(
    'unauthorized_client',
    'RFC 6749 §5.2',
    'The client may not use this grant',
    "Register the grant for this client, or use one of the client's registered grants.",
  ),
  unsupported_grant_type: entry(
    'unsupported_grant_type',
    'RFC 6749 §5.2',
    'The server does not offer this grant',
    "Use a grant listed in the authorization server's metadata (grant_types_supported).",
  ),
  invalid_scope: entry(
    'invalid_scope',
    'RFC 6749 §5.2',
    'A scope asked for is unknown or not available',
    'Ask only for scopes registered for this client (and held by the user).',
  ),
  invalid_target: entry(
    'invalid_target',
    'RFC 8707 §2',
    'The resource asked for is not one this server issues tokens for',
    "Send as resource the API's identifier exactly as its protected resource metadata names it (RFC 9728 `resource`).",
  ),
  unsupported_response_type: entry(
    'unsupported_response_type',
    'RFC 6749 §4.1.2.1',
    'The authorize endpoint does not answer this response_type',
    'Use response_type=code: OAuth 2.1 has no implicit grant.',
  ),
  access_denied: entry(
    'access_denied',
    'RFC 6749 §4.1.2.1',
    'The user or the server refused the authorization',
    'Ask the user again, or for less (fewer scopes).',
  ),
  server_error: entry(
    'server_error',
    'RFC 6749 §4.1.2.1',
    'The authorization server failed',
    'Try again later; the failure is the server’s, not the request’s.',
  ),
  temporarily_unavailable: entry(
    'temporarily_unavailable',
    'RFC 6749 §4.1.2.1',
    'The authorization server is busy or down for a while',
    'Wait (Retry-After when given) and try again.',
  ),
  unsupported_token_type: entry(
    'unsupported_token_type',
    'RFC 7009 §2.2.1',
    'The server cannot revoke this kind of token',
    'Revoke the refresh token (which ends the session) or let the access token expire.',
  ),
  invalid_token: entry(
    'invalid_token',
    'RFC 6750 §3.1',
    'The access token is expired, revoked, malformed or for another API',
    'Get a new access token (refresh, or the grant again) for this API.',
  ),
  insufficient_scope: entry(
    'insufficient_scope',
    'RFC 6750 §3.1',
    'The access token lacks a scope the request needs',
    'Ask for a token with the scopes the challenge names.',
  ),
  invalid_dpop_proof: entry(
    'invalid_dpop_proof',
    'RFC 9449 §5',
    'The DPoP proof is missing, malformed, replayed or for another request or key',
    'Send one fresh DPoP proof per request (new jti, current iat, this method and URL), signed with the key the tokens are bound to.',
  ),
  use_dpop_nonce: entry(
    'use_dpop_nonce',
    'RFC 9449 §8',
    'The server requires a nonce in DPoP proofs',
    'Make a new DPoP proof carrying the nonce of the DPoP-Nonce response header and send the request again, once.',
  ),
});

export type OAuthErrorCode = keyof typeof oauthErrors;

/** Every code, in catalogue order. */
export const oauthErrorCodes: readonly OAuthErrorCode[] = Object.freeze(Object.keys(oauthErrors) as OAuthErrorCode[]);

export function isOAuthErrorCode(value: unknown): value is OAuthErrorCode {
  return typeof value === 'string' && Object.hasOwn(oauthErrors, value);
}

/** The catalogue entry for a code, or undefined for one no RFC here defines. */
export function getOAuthError(code: unknown): OAuthError | undefined {
  return isOAuthErrorCode(code) ? oauthErrors[code] : undefined;
}
