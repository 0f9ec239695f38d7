/**
 * The token lifecycle: JWT access tokens (EdDSA by default; ES256 or HS256) typed at+jwt
 * (RFC 9068), opaque refresh tokens stored hashed and rotated on every use, each rotation taking
 * the subject as it is now; reuse detection that revokes the whole family (RFC 9700 §4.14.2) with a
 * short grace window in which a repeat gets the same successor back; revocation (RFC 7009) of a
 * token or of every session of a user; signing-key rotation that keeps old public keys, JWKS.
 *
 * Each step has its own file: `token-service-options.ts` checks the options, `signing-key-ring.ts`
 * keeps the keys, `access-token.ts` signs, `refresh-tokens.ts` issues and rotates refresh tokens,
 * `revocation.ts` revokes.
 */
import type { JSONWebKeySet } from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import type { Identity } from '../../stores/lookups.ts';
import type { Scheme } from '../scheme.ts';
import { bearerScheme } from '../schemes/bearer.ts';
import { dpopScheme } from '../schemes/dpop.ts';
import type { DpopOptions } from '../schemes/dpop-proof.ts';
import type { JwtOptions } from '../schemes/jwt-options.ts';
import { signAccessToken, type TokenPair } from './access-token.ts';
import { introspectToken, type TokenIntrospection } from './introspection.ts';
import { issuedPair, type RefreshOptions, refreshedPair } from './refresh-tokens.ts';
import { deniedUntil, revokeToken } from './revocation.ts';
import { configOf, type TokenServiceOptions } from './token-service-options.ts';

export interface IssueOptions {
  clientId: string;
  /** Space-separated scopes granted; the subject's role R goes into the token only if it holds `role:R`. */
  scope: string;
  /** Issue a refresh token too. @default true */
  refresh?: boolean;
  /** The access token's `aud`: resources (RFC 8707) the caller checked against `resources`. @default the audience */
  audience?: string | string[];
  /**
   * The resource indicators (RFC 8707 §2) the grant was for, kept with the refresh token: a refresh
   * gets them as its `aud`, or narrows to one of them (RFC 8707 §2.2). @default those of `audience`
   */
  resources?: readonly string[];
  /** The refresh token's family, fixed ahead (an authorization code's). @default a new id */
  familyId?: string;
  /** The access token's `jti`, fixed ahead (an authorization code's). @default a new id */
  jti?: string;
  /** How the user signed in (`acr`, RFC 9470 §3); kept by the refresh token for every refresh. */
  acr?: string;
  /** When the user signed in, seconds since the epoch (`auth_time`); kept across refreshes. */
  authTime?: number;
  /** Bind the access token to this DPoP key thumbprint (RFC 9449 §6.1 `cnf.jkt`); token_type DPoP. */
  jkt?: string;
  /** Bind the refresh token to `jkt` too (a public client's, RFC 9449 §5). @default false */
  bindRefresh?: boolean;
}

export interface TokenService {
  readonly issuer: string;
  readonly audience: string;
  /** The resources (RFC 8707) it issues tokens for besides `audience`: a token's `aud` may name them. */
  readonly resources: readonly string[];
  /** How long its access tokens live, in seconds. */
  readonly accessTokenTtlSeconds: number;
  issue(subject: Identity, options: IssueOptions): Promise<TokenPair>;
  /**
   * Exchanges a refresh token for a new pair; the old one is rotated out. `currentIdentity` says
   * who the token's subject is now: the new access token carries its roles and the scopes asked
   * for that it still has; undefined (the account is gone) refuses with invalid_grant.
   */
  refresh(refreshToken: string, options: RefreshOptions): Promise<TokenPair>;
  /** Revokes a refresh token's family or an access token (RFC 7009): unknown tokens are ignored. */
  revoke(token: string, options: { clientId: string; hint?: string }): Promise<void>;
  /**
   * Revokes every refresh-token family (every session) of one subject, e.g. after its password
   * changed; returns how many were live. Access tokens already issued stay valid until their exp.
   */
  revokeUser(subject: string): Promise<number>;
  /**
   * Revokes what one grant issued with ids fixed ahead (an authorization code's): the refresh-token
   * family `familyId`, and the access token `jti`, signed no later than `issuedBy` (ms since the
   * epoch), denied until it would have expired.
   */
  revokeGrant(familyId: string, jti: string, issuedBy: number): Promise<void>;
  /** The token if it is active now (RFC 7662 §2.2), else undefined; `introspection.ts`. */
  introspect(token: string): Promise<TokenIntrospection | undefined>;
  /**
   * Signs an access token with explicit times, for tests and the playground (an expired token,
   * one not yet valid). Times are ms since the epoch.
   */
  signAccessToken(
    subject: Identity,
    options: { clientId: string; scope: string; expiresAt: number; notBefore?: number },
  ): Promise<string>;
  /** Starts signing with a new key; the old public keys stay in the JWKS. Returns the new kid. */
  rotateSigningKey(): Promise<string>;
  jwks(): Promise<JSONWebKeySet>;
  /**
   * A bearer scheme that verifies this service's access tokens (typ at+jwt required, RFC 9068 §4)
   * and honours the deny-list. With `resource` (one of `resources`), it accepts only tokens whose
   * `aud` names that resource (RFC 8707): the scheme for that API's guard.
   * @default the service's `audience`
   */
  bearerScheme(resource?: string): Scheme<unknown>;
  /**
   * The DPoP scheme (RFC 9449 §7) for this service's DPoP-bound access tokens, verified as
   * `bearerScheme(resource)` verifies, plus a proof of the bound key; `proof` as for the
   * authorization server's `dpop` option (share its `nonces` store).
   */
  dpopScheme(resource?: string, proof?: DpopOptions): Scheme<unknown>;
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  const config = configOf(options);
  const { keys, issuer, audience, algorithm, denyList, resources } = config;
  /** How this service's access tokens are verified, for `resource` (one of `resources`). */
  const accessTokenChecks = (name: string, resource: string | undefined): JwtOptions => {
    if (resource !== undefined && !resources.includes(resource))
      throw invalidArgument(`${name}: ${JSON.stringify(resource)} is not one of the service's resources`);
    return {
      key: keys.hmacKey ?? (async (header) => keys.verificationKey(header.kid)),
      algorithms: [algorithm],
      issuer,
      audience: resource ?? audience,
      // RFC 9068 §4, RFC 8725 §3.11: an ID token or any other JWT signed with these keys is not an access token.
      typ: 'at+jwt',
      isRevoked: async (payload) => typeof payload.jti === 'string' && (await denyList.isDenied(payload.jti)),
    };
  };
  return {
    issuer,
    audience,
    resources,
    accessTokenTtlSeconds: config.accessTtl,
    issue: (subject, issueOptions) => issuedPair(config, subject, issueOptions),
    refresh: (token, refreshOptions) => refreshedPair(config, token, refreshOptions),
    revoke: (token, revokeOptions) => revokeToken(config, token, revokeOptions),
    revokeUser: (subject) => config.refreshTokens.revokeSubject(subject, Date.now()),
    async revokeGrant(familyId, jti, issuedBy) {
      await config.refreshTokens.revokeFamily(familyId, Date.now());
      await denyList.deny(jti, deniedUntil(issuedBy + config.accessTtl * 1000));
    },
    introspect: (token) => introspectToken(config, token),
    signAccessToken: (subject, { clientId, scope, expiresAt, notBefore }) =>
      signAccessToken(config, subject, clientId, scope, expiresAt, notBefore),
    rotateSigningKey: () => keys.rotate(),
    jwks: () => keys.jwks(),
    bearerScheme: (resource) => bearerScheme({ jwt: accessTokenChecks('bearerScheme', resource) }),
    dpopScheme: (resource, proof) =>
      dpopScheme({ jwt: accessTokenChecks('dpopScheme', resource), ...(proof ? { proof } : {}) }),
  };
}
