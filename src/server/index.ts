/**
 * `gatehouse-http/server`: authenticate, authorize and refuse exactly right. Works on Web Request
 * and Response; the adapters (gatehouse-http/node, /express, /fastify, /hono) connect frameworks.
 */
export * from '../http/index.ts';
export { AuthorizationCodeStoreFullError } from '../stores/code-store-full.ts';
export type {
  ApiKeyLookup,
  ApiKeyRecord,
  Identity,
  NonceStore,
  SessionLookup,
  SigningKeyLookup,
  SigningKeyRecord,
  UserLookup,
  UserRecord,
} from '../stores/lookups.ts';
export {
  type MemoryAuthorizationCodesOptions,
  type MemoryIdempotencyOptions,
  type MemoryNoncesOptions,
  memoryApiKeys,
  memoryAuthorizationCodes,
  memoryClients,
  memoryDenyList,
  memoryIdempotency,
  memoryJwtKeys,
  memoryNonces,
  memoryRefreshTokens,
  memorySessions,
  memorySigningKeys,
  memoryStore,
  memoryUsers,
} from '../stores/memory.ts';
export { MissingPeerError } from '../stores/missing-peer-error.ts';
export { NonceStoreFullError } from '../stores/nonce-store-full.ts';
export { DEFAULT_STORE_URL, type OpenStoreOptions, openStore } from '../stores/open-store.ts';
export type { PostgresStore } from '../stores/postgres.ts';
export { replayKeyOf } from '../stores/replay-key.ts';
export type { SqliteStore } from '../stores/sqlite.ts';
export { StoreNotFoundError } from '../stores/store-not-found-error.ts';
export { StoreUnreachableError } from '../stores/store-unreachable-error.ts';
export type * from '../stores/types.ts';
export { clientAddressKey } from './client-address.ts';
export type { CorsPolicy } from './cors.ts';
export { apiKeyId, apiKeyMatches, type CreatedApiKey, createApiKey, hashApiKey } from './credentials/api-key.ts';
export {
  ARGON2_AVAILABLE,
  type HashPasswordOptions,
  hashPassword,
  verifyPassword,
} from './credentials/password-hash.ts';
export { VerifiedCache, type VerifiedCacheOptions } from './credentials/verified-cache.ts';
export { type AuthenticateOptions, createGuard, type Decision, type Guard } from './guard.ts';
export type { GuardOptions } from './guard-options.ts';
export { beginIdempotent } from './idempotency/begin-idempotent.ts';
export { idempotent } from './idempotency/idempotent.ts';
export type { IdempotencyOptions } from './idempotency/options.ts';
export type { IdempotencyStart, IdempotentRequest } from './idempotency/start.ts';
export {
  type CounterBackend,
  createLoginProtection,
  type LoginLimit,
  type LoginProtection,
  type LoginProtectionOptions,
  type LoginWait,
} from './login-protection.ts';
export {
  type AuthLevel,
  allOf,
  allow,
  anyOf,
  type Permission,
  type PermissionResult,
  requireAuthLevel,
  requireRoles,
  requireScopes,
} from './permissions.ts';
export type { Principal } from './principal.ts';
export {
  PROTECTED_RESOURCE_WELL_KNOWN,
  type ProtectedResourceMetadata,
  type ProtectedResourceOptions,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from './protected-resource.ts';
export {
  createRateLimit,
  type RateLimit,
  type RateLimitDecision,
  type RateLimitOptions,
  type RateLimitRequest,
} from './rate-limit.ts';
export { isRefusal, type Refusal } from './refusal.ts';
export {
  BodyTooLargeError,
  DEFAULT_MAX_BODY_BYTES,
  RequestInvalidError,
} from './request-limits.ts';
export type { ChallengeContext, Detection, GuardRequest, RequestView, Scheme } from './scheme.ts';
export { type ApiKeySchemeOptions, apiKeyScheme } from './schemes/api-key.ts';
export { type BasicSchemeOptions, basicScheme } from './schemes/basic.ts';
export { type BearerSchemeOptions, bearerScheme, type OpaqueOptions } from './schemes/bearer.ts';
export { type DpopSchemeOptions, dpopScheme } from './schemes/dpop.ts';
export { DPOP_ALGORITHMS, type DpopAlgorithm, type DpopOptions } from './schemes/dpop-proof.ts';
export {
  type IntrospectionScheme,
  type IntrospectionSchemeOptions,
  introspectionScheme,
} from './schemes/introspection.ts';
export type { JwtOptions } from './schemes/jwt-options.ts';
export { type IssuedSession, issueSession, type SessionSchemeOptions, sessionScheme } from './schemes/session.ts';
export { type SignatureSchemeOptions, signatureScheme } from './schemes/signature.ts';
export {
  type FailureReason,
  KeySourceError,
  logFailure,
  type OnError,
  type ServerFailure,
} from './server-failure.ts';
export { createSignIn, type SignIn, type SignInOptions, type SignInResult } from './sign-in.ts';
export type { TokenPair } from './tokens/access-token.ts';
export {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  createAuthorizationServer,
  type RequestInfo,
} from './tokens/authorization-server.ts';
export type { AuthorizeOptions } from './tokens/authorize-endpoint.ts';
export { clientSubject, isClientSubject } from './tokens/client-subject.ts';
export type { TokenIntrospection } from './tokens/introspection.ts';
export type { IntrospectionPolicy } from './tokens/introspection-endpoint.ts';
export { roleScope } from './tokens/role-scopes.ts';
export type { SecondFactor } from './tokens/sign-in-level.ts';
export { TokenGrantError } from './tokens/token-grant-error.ts';
export { createTokenService, type IssueOptions, type TokenService } from './tokens/token-service.ts';
export type { TokenServiceOptions } from './tokens/token-service-options.ts';
