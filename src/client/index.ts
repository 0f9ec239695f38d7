/**
 * `gatehouse-http/client`: for code that calls APIs. Runs in browsers and Node; the Node-only token
 * stores live at `gatehouse-http/client/file-store` and `gatehouse-http/client/redis-store`, the
 * terminal sign-in at `gatehouse-http/client/loopback-login`.
 */
export * from '../http/index.ts';
export { type ApiKeyPlacement, apiKey } from './auth/api-key.ts';
export { basic } from './auth/basic.ts';
export { type BearerOptions, bearer } from './auth/bearer.ts';
export { type DigestOptions, digest } from './auth/digest.ts';
export { type DiscoveredLogin, type DiscoveredOAuthOptions, discoveredOAuth } from './auth/discovered-oauth.ts';
export { type DpopKey, type DpopKeyOptions, type DpopKeyPair, dpop, type WebCryptoKey } from './auth/dpop.ts';
export { type HmacSignatureOptions, headerSignature, hmacSignature } from './auth/hmac-signature.ts';
export type { AuthContext, AuthStrategy, RefreshEvent } from './auth-flow.ts';
export {
  type AuthorizationStorage,
  type BrowserAuthorizationOptions,
  completeAuthorization,
  startAuthorization,
} from './browser-login.ts';
export type { CookieJarLike } from './cookies.ts';
export { type Client, createClient } from './create-client.ts';
export { AuthenticationError } from './errors/authentication-error.ts';
export { AuthorizationResponseError } from './errors/authorization-response-error.ts';
export { BodyCutError } from './errors/body-cut-error.ts';
export { BodyNotReplayableError } from './errors/body-not-replayable-error.ts';
export { CrossOriginCredentialsError, RedirectSecretError } from './errors/credential-origin-errors.ts';
export { DigestDowngradeError, DigestRealmError } from './errors/digest-errors.ts';
export { DiscoveryError } from './errors/discovery-error.ts';
export { ForbiddenError, HttpError, LockedOutError, RateLimitedError, UnauthorizedError } from './errors/http-error.ts';
export { IssuerMismatchError } from './errors/issuer-mismatch-error.ts';
export { LoginTimeoutError } from './errors/login-timeout-error.ts';
export { NetworkError } from './errors/network-error.ts';
export { OpenBrowserError } from './errors/open-browser-error.ts';
export { ResourceMismatchError } from './errors/resource-mismatch-error.ts';
export { type StepUpNeeded, StepUpRequiredError } from './errors/step-up-required-error.ts';
export { TimeoutError } from './errors/timeout-error.ts';
export { TooManyRedirectsError } from './errors/too-many-redirects-error.ts';
export type { ClientOptions, ClientRequestInit, ResponseEvent } from './options.ts';
export type { OutgoingRequest } from './outgoing-request.ts';
export type { RedirectEvent, RedirectOptions } from './redirect.ts';
export type { BodySource } from './request-body.ts';
export type { RetryEvent } from './retry.ts';
export { backoffDelay, DEFAULT_RETRY, isRetrySafe, type RetryOptions } from './retry-policy.ts';
export type { AuthorizationCodeOptions } from './tokens/authorization-code.ts';
export type { Introspection } from './tokens/introspection.ts';
export {
  type ClientCredentialsOptions,
  type OAuth2CommonOptions,
  type OAuth2TokenSource,
  oauth2ClientCredentials,
  oauth2RefreshToken,
  type RefreshTokenOptions,
  type Revocation,
} from './tokens/oauth2.ts';
export {
  TabLockError,
  type TabSharedTokenStoreOptions,
  type TokenStorage,
  TokenStorageError,
  tabSharedTokenStore,
} from './tokens/tab-shared-store.ts';
export type { Token, TokenResponse } from './tokens/token.ts';
export {
  type FetchToken,
  type GetTokenOptions,
  type HeldTokenSource,
  type TokenSource,
  type TokenSourceOptions,
  tokenSource,
} from './tokens/token-source.ts';
export { memoryTokenStore, type TokenStore } from './tokens/token-store.ts';
export type { Transport } from './transport.ts';
