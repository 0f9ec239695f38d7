/**
 * The reason catalogue: every reason Gatehouse refuses a request, once. The server emits these
 * codes, the client turns them back into typed errors, the doctor explains them.
 * Add codes here, never inline elsewhere.
 */

/** The `error` values of RFC 6750 §3.1, and RFC 9470 §3's insufficient_user_authentication. */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication';

export interface Reason {
  /** Stable, machine-readable; also the problem body's `code` member. */
  readonly code: string;
  readonly status: 400 | 401 | 403 | 409 | 413 | 421 | 422 | 429 | 500 | 503;
  /** The RFC 6750 `error` a Bearer challenge carries for this reason, when one applies. */
  readonly bearerError?: BearerErrorCode;
  /** Short and the same for every occurrence (RFC 9457 §3.1.3). */
  readonly title: string;
  /** One sentence for the caller: what to do about it. */
  readonly hint: string;
  /** The problem type URI (RFC 9457 §3.1.1): an identifier, not meant to be fetched. */
  readonly type: string;
}

export const REASON_TYPE_BASE = 'https://gatehouse.dev/reasons/';

function reason<const C extends string>(
  code: C,
  status: Reason['status'],
  bearerError: BearerErrorCode | undefined,
  title: string,
  hint: string,
): Reason & { code: C } {
  const entry = { code, status, title, hint, type: REASON_TYPE_BASE + code };
  return Object.freeze(bearerError ? { ...entry, bearerError } : entry);
}

export const reasons = Object.freeze({
  // RFC 6750 §3.1: a request without credentials gets a challenge with no error code.
  credentials_missing: reason(
    'credentials_missing',
    401,
    undefined,
    'Authentication required',
    'Send credentials in the Authorization header, in one of the schemes offered by WWW-Authenticate.',
  ),
  credentials_malformed: reason(
    'credentials_malformed',
    400,
    'invalid_request',
    'Malformed credentials',
    'Send exactly one Authorization header of the form "<scheme> <credentials>", with no stray spaces, quotes or repeated scheme name.',
  ),
  scheme_unsupported: reason(
    'scheme_unsupported',
    401,
    undefined,
    'Authentication scheme not accepted',
    'Authenticate with one of the schemes listed in WWW-Authenticate.',
  ),
  credentials_invalid: reason(
    'credentials_invalid',
    401,
    'invalid_token',
    'Invalid credentials',
    'Check the username and password, API key or token: the server does not recognise them.',
  ),
  token_expired: reason(
    'token_expired',
    401,
    'invalid_token',
    'Token expired',
    "The token's exp has passed by the server's clock: refresh it or obtain a new one.",
  ),
  token_not_yet_valid: reason(
    'token_not_yet_valid',
    401,
    'invalid_token',
    'Token not yet valid',
    "The token's nbf is ahead of the server's clock: check the clocks of the issuer and the server, or wait.",
  ),
  token_revoked: reason(
    'token_revoked',
    401,
    'invalid_token',
    'Token revoked',
    'This token or its refresh family was revoked: sign in again to get new tokens.',
  ),
  token_audience_mismatch: reason(
    'token_audience_mismatch',
    401,
    'invalid_token',
    'Token issued for another audience',
    'Request a token whose aud names this API (check the audience or resource parameter of the token request).',
  ),
  token_issuer_mismatch: reason(
    'token_issuer_mismatch',
    401,
    'invalid_token',
    'Token from an untrusted issuer',
    'Obtain the token from the issuer this API trusts (compare the iss claim with the API configuration).',
  ),
  signature_invalid: reason(
    'signature_invalid',
    401,
    undefined,
    'Request signature invalid',
    'Sign the key id, the exact method, authority, path and query, timestamp, nonce and body that are sent, with the right secret.',
  ),
  signature_expired: reason(
    'signature_expired',
    401,
    undefined,
    'Request signature outside its time window',
    "Sign the request just before sending it, and check the client's clock against the server's Date.",
  ),
  signature_replayed: reason(
    'signature_replayed',
    401,
    undefined,
    'Request signature replayed',
    'Use a new nonce for every request; a signed request cannot be sent twice.',
  ),
  // RFC 9449 §7.1: a DPoP-bound token needs a proof of its key; these are told as DPoP challenge errors.
  dpop_proof_invalid: reason(
    'dpop_proof_invalid',
    401,
    undefined,
    'DPoP proof invalid',
    'Send one fresh DPoP proof per request, signed with the bound key, whose htm, htu, iat and ath match this request.',
  ),
  dpop_nonce_required: reason(
    'dpop_nonce_required',
    401,
    undefined,
    'DPoP nonce required',
    'Make a new DPoP proof carrying the nonce of the DPoP-Nonce response header and send the request again.',
  ),
  dpop_binding_mismatch: reason(
    'dpop_binding_mismatch',
    401,
    'invalid_token',
    'Token not bound to this key',
    'Send a DPoP-bound token as DPoP, with a proof signed by the key it was issued to, and an unbound one as Bearer; where the endpoint takes only one of the two (its challenge names it), get a token of that kind.',
  ),
  // RFC 6750 §3.1: insufficient_scope is 403, and the challenge names the scope needed.
  insufficient_scope: reason(
    'insufficient_scope',
    403,
    'insufficient_scope',
    'Insufficient scope',
    "Obtain a token that includes the scopes named in the challenge's scope parameter.",
  ),
  // RFC 9470 §3: the token is valid, but the user's sign-in is too weak or too old for this
  // resource; 401, and the challenge names the acr_values and/or max_age it needs.
  insufficient_user_authentication: reason(
    'insufficient_user_authentication',
    401,
    'insufficient_user_authentication',
    'Stronger or more recent sign-in needed',
    'Sign in again at the level the challenge names (acr_values, max_age) and retry with the new token.',
  ),
  forbidden: reason(
    'forbidden',
    403,
    undefined,
    'Forbidden',
    'You are authenticated but lack the role or permission this needs, and refreshing the same grant will not help: have it granted to the account, then get a token that carries it (an OAuth token carries only what its grant asked for).',
  ),
  rate_limited: reason(
    'rate_limited',
    429,
    undefined,
    'Too many requests',
    'Wait for the time given by Retry-After before sending again.',
  ),
  locked_out: reason(
    'locked_out',
    429,
    undefined,
    'Too many failed sign-in attempts',
    'Sign-in is paused for this account from this address: wait for Retry-After, then use the right credentials.',
  ),
  // draft-ietf-httpapi-idempotency-key-header §2.7: the refusals of a route that honours Idempotency-Key.
  idempotency_key_invalid: reason(
    'idempotency_key_invalid',
    400,
    undefined,
    'Bad Idempotency-Key',
    'Send an Idempotency-Key of 1 to 255 visible ASCII characters, such as a UUID.',
  ),
  idempotency_key_missing: reason(
    'idempotency_key_missing',
    400,
    undefined,
    'Idempotency-Key required',
    'This operation must be sent with an Idempotency-Key header (a new UUID per operation), so a retry cannot apply it twice.',
  ),
  idempotency_key_in_use: reason(
    'idempotency_key_in_use',
    409,
    undefined,
    'Request in progress',
    'A request with this Idempotency-Key is still being processed; send it again after Retry-After.',
  ),
  idempotency_key_reused: reason(
    'idempotency_key_reused',
    422,
    undefined,
    'Idempotency-Key reused',
    'This Idempotency-Key came with a different request; use a new key for a new request.',
  ),
  // Not the credentials' fault: a request that cannot be read as HTTP defines it.
  request_invalid: reason(
    'request_invalid',
    400,
    undefined,
    'Malformed request',
    'Send a Host header that is a valid authority (host or host:port), a request target that is a valid path, and parameters as the detail says.',
  ),
  // RFC 9110 §15.5.20: the server does not answer for the authority the request names (the
  // playground on loopback, against DNS rebinding).
  host_not_served: reason(
    'host_not_served',
    421,
    undefined,
    'Host not served',
    'Send the request to a name this server answers for (localhost, an IP address, or one it was told to allow).',
  ),
  // RFC 9110 §15.5.14: the body is larger than the server is willing to read.
  body_too_large: reason(
    'body_too_large',
    413,
    undefined,
    'Request body too large',
    'Send a smaller body: the server stops reading at its limit, which the detail names.',
  ),
  // The server's failures: never a 401, since the credentials may well be valid.
  internal_error: reason(
    'internal_error',
    500,
    undefined,
    'Internal server error',
    'The server failed while handling the request; this is not about your credentials. Try again later, or tell the operator.',
  ),
  store_unavailable: reason(
    'store_unavailable',
    503,
    undefined,
    'Store unavailable',
    'The server could not use its store for this request; this is not about your credentials. Send it again after Retry-After, or later.',
  ),
  keys_unavailable: reason(
    'keys_unavailable',
    503,
    undefined,
    'Verification keys unavailable',
    "The server cannot get the keys to check the token (the issuer's JWKS, or its own key store); the token may well be valid. Send it again after Retry-After.",
  ),
});

export type ReasonCode = keyof typeof reasons;

/** Every reason, in catalogue order. */
export const reasonCodes: readonly ReasonCode[] = Object.freeze(Object.keys(reasons) as ReasonCode[]);

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && Object.hasOwn(reasons, value);
}

/** The catalogue entry for a code, or undefined for a code Gatehouse does not know. */
export function getReason(code: unknown): Reason | undefined {
  return isReasonCode(code) ? reasons[code] : undefined;
}
