/**
 * `gatehouse-http`, the package's root: the shared model of HTTP authentication — pure functions
 * and types, no I/O, no Node-only APIs, no dependencies. Client, server, playground and doctor
 * all read from here.
 */
export { INVALID_ARGUMENT } from './argument-error.ts';
export {
  type AuthorizationParseResult,
  type AuthorizationProblem,
  type BasicCredentials,
  type BearerCredentials,
  type Credentials,
  type DigestAuthorization,
  type DigestCredentials,
  formatAuthorization,
  type OtherCredentials,
  parseAuthorization,
} from './authorization.ts';
export { decodeBasic, encodeBasic } from './basic-credentials.ts';
export {
  type Challenge,
  formatChallenge,
  formatChallenges,
  type ParseChallengesOptions,
  parseChallenges,
} from './challenges.ts';
export {
  COMPANION_HEADERS,
  CREDENTIAL_HEADERS,
  carriesCredential,
  isCredentialHeader,
} from './credential-headers.ts';
export { isSecretField, isSecretParam, SECRET_PARAMS, SECRET_QUERY_PARAMS } from './credential-params.ts';
export { decodeExtValue, encodeExtValue } from './digest-credentials.ts';
export { GatehouseError } from './gatehouse-error.ts';
export { getField, type HeaderSource, type HeadersLike } from './headers-like.ts';
export { formatHttpDate, type ParseHttpDateOptions, parseHttpDate } from './http-date.ts';
export { maskHeader, maskSecret, REDACTED } from './mask.ts';
export type { MaybePromise } from './maybe-promise.ts';
export {
  getOAuthError,
  isOAuthErrorCode,
  type OAuthError,
  type OAuthErrorCode,
  oauthErrorCodes,
  oauthErrors,
} from './oauth-errors.ts';
export {
  type CreateProblemOptions,
  createProblem,
  type ParseProblemOptions,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  parseProblem,
  type ReasonProblem,
  reasonOfProblem,
} from './problem.ts';
export {
  type ParseRateLimitOptions,
  parseRateLimit,
  type RateLimitInfo,
  type RateLimitPolicy,
  type RateLimitSource,
} from './rate-limit.ts';
export { type RateLimitState, rateLimitFields } from './rate-limit-fields.ts';
export {
  type BearerErrorCode,
  getReason,
  isReasonCode,
  REASON_TYPE_BASE,
  type Reason,
  type ReasonCode,
  reasonCodes,
  reasons,
} from './reasons.ts';
export { redactText } from './redact-text.ts';
export { redactUrl, urlSecrets } from './redact-url.ts';
export {
  malformedNonce,
  NONCE_FORMAT,
  SIGNATURE_HEADERS,
  SIGNATURE_SCHEME,
  type SignatureLayout,
  type SigningInput,
  signingString,
  unsignableTarget,
} from './request-signature.ts';
export { type ParseRetryAfterOptions, parseRetryAfter } from './retry-after.ts';
export { secretForms } from './secret-forms.ts';
export { headerSecrets, isSecretHeader } from './secret-headers.ts';
export { secretRedactor } from './secret-redactor.ts';
