/**
 * Bearer tokens (RFC 6750): JWTs verified with jose against a key, a secret or a JWKS, with
 * pinned algorithms, issuer, audience and clock tolerance; or opaque tokens checked by a lookup.
 */
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  type KeyObject,
} from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import type { BearerCredentials } from '../../http/index.ts';
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { Identity } from '../../stores/lookups.ts';
import { VerifiedCache, type VerifiedCacheOptions } from '../credentials/verified-cache.ts';
import type { Principal } from '../principal.ts';
import { principalOf } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import { fromAuthorization, type Scheme } from '../scheme.ts';
import { KeySourceError } from '../server-failure.ts';
import { algorithmFamily, checkJwtKey } from './jwt-key.ts';

export interface JwtOptions {
  /**
   * The verification key: an HMAC secret (string or bytes, HS* only), a public key (KeyObject or
   * CryptoKey, never a PEM string), or a function that finds one per token header.
   */
  key?: string | Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey;
  /** The issuer's public keys: a JWKS URL or the set itself (signature algorithms only). */
  jwks?: string | URL | JSONWebKeySet;
  /**
   * How long a remote JWKS may take to answer. A JWKS that cannot be had (refused, timed out, not
   * 200, not a key set) is the server's failure: 503 keys_unavailable, never a 401. @default 5000 ms
   */
  jwksTimeoutMs?: number;
  /**
   * The algorithms accepted; required, so no token can choose its own, and all of one family: HMAC
   * (HS*) or signatures (RS/PS/ES/EdDSA), never both (no HS/RS confusion).
   */
  algorithms: readonly string[];
  issuer?: string | readonly string[];
  /**
   * The `aud` a token must name (one of them). Required with a public key, a key function or a
   * JWKS: an issuer signs tokens for other APIs too (RFC 9068 §4, RFC 8725 §3.9). false accepts
   * any audience, knowingly. Optional with an HMAC secret, which only the issuer and this API share.
   */
  audience?: string | readonly string[] | false;
  /**
   * Whether a token must carry `exp` (RFC 9068 §2.2). false accepts tokens that never expire
   * (they are verified on every request, never cached).
   * @default true
   */
  requireExp?: boolean;
  /**
   * The JOSE header `typ` a token must carry (RFC 8725 §3.11 explicit typing), compared as
   * RFC 9068 §4 says: case-insensitive, `application/` optional. Set `'at+jwt'` when the issuer
   * types its access tokens (RFC 9068 §2.1), so that its ID tokens and other JWTs signed with the
   * same keys are refused. false accepts any typ, or none: many issuers send `JWT` or nothing.
   * The token service's own `bearerScheme()` requires `'at+jwt'`.
   * @default false
   */
  typ?: string | false;
  /** Seconds of clock difference forgiven for exp and nbf. @default 5 */
  clockTolerance?: number;
  /** Whether a verified token was revoked (a jti deny-list); asked on every request, cached or not. */
  isRevoked?: (payload: JWTPayload) => MaybePromise<boolean>;
  /**
   * Remember verified tokens until their exp (60 s at most), so a client that reuses its token
   * costs one signature check, not one per request. false checks every time.
   * @default { ttlMs: 60_000, maxEntries: 10_000 }
   */
  cache?: VerifiedCacheOptions | false;
}

export interface OpaqueOptions {
  /** Finds the identity a token stands for; undefined for an unknown token. */
  verify: (token: string) => Promise<Identity | Refusal | undefined>;
}

export type BearerSchemeOptions = { jwt: JwtOptions } | { opaque: OpaqueOptions };

const DESCRIPTIONS: Partial<Record<Refusal['reason'], string>> = {
  token_expired: 'The access token expired',
  token_not_yet_valid: 'The access token is not valid yet',
  token_revoked: 'The access token was revoked',
  token_audience_mismatch: 'The access token is for another audience',
  token_issuer_mismatch: 'The access token is from an untrusted issuer',
  credentials_invalid: 'The access token is invalid',
};

export function bearerScheme(options: BearerSchemeOptions): Scheme<BearerCredentials> {
  if (!options || typeof options !== 'object')
    throw invalidArgument('bearerScheme(options): pass { jwt: { … } } or { opaque: { verify } }');
  const verifyToken = 'jwt' in options ? jwtVerifier(options.jwt) : opaqueVerifier(options.opaque);
  return {
    name: 'bearer',
    precedence: 40,
    authorizationSchemes: ['bearer'],
    detect: (request) => fromAuthorization(request, 'bearer', 'bearer'),
    verify: ({ token }) => verifyToken(token),
    challenge(realm, refusal) {
      const params: Record<string, string> = { realm };
      // RFC 6750 §3.1: no error code when the request carried no credentials.
      if (refusal?.reason === 'credentials_malformed') params['error'] = 'invalid_request';
      else if (refusal?.scheme === 'bearer' || refusal?.reason === 'insufficient_scope') {
        if (refusal.reason === 'insufficient_scope') {
          params['error'] = 'insufficient_scope';
          if (refusal.scope?.length) params['scope'] = refusal.scope.join(' ');
        } else {
          params['error'] = 'invalid_token';
          params['error_description'] = DESCRIPTIONS[refusal.reason] ?? 'The access token is invalid';
        }
      }
      return { scheme: 'Bearer', params };
    },
    openapi: () =>
      'jwt' in options ? { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } : { type: 'http', scheme: 'bearer' },
    // A bearer token carries scopes (RFC 6750 §3 `scope`): the route's requirement lists those.
    securityRequirement: (requires) => requires.scopes,
  };
}

function jwtVerifier(jwt: JwtOptions): (token: string) => MaybePromise<Principal | Refusal> {
  if (!jwt || !Array.isArray(jwt.algorithms) || jwt.algorithms.length === 0) {
    throw invalidArgument(
      'bearerScheme: jwt.algorithms is required, e.g. ["ES256"]: a token must never pick its own algorithm',
    );
  }
  if (jwt.algorithms.some((a) => a.toLowerCase() === 'none'))
    throw invalidArgument('bearerScheme: "none" is not an algorithm a server may accept');
  if (jwt.typ !== undefined && jwt.typ !== false && (typeof jwt.typ !== 'string' || !jwt.typ.trim()))
    throw invalidArgument('bearerScheme: jwt.typ is a media type such as "at+jwt", or false to accept any');
  if (jwt.requireExp !== undefined && typeof jwt.requireExp !== 'boolean')
    throw invalidArgument('bearerScheme: jwt.requireExp is true (the default) or false');
  const family = algorithmFamily(jwt.algorithms);
  checkJwtKey(family, jwt.key, jwt.jwks !== undefined);
  if (family === 'signature' && jwt.audience === undefined)
    throw invalidArgument(
      "bearerScheme: jwt.audience is required with a public key or a JWKS: the issuer signs tokens for other APIs too, and only aud says a token is meant for this one (RFC 9068 §4, RFC 8725 §3.9). Pass audience: 'https://this-api.example', or audience: false to accept any audience knowingly",
    );
  let key: Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey;
  if (jwt.jwks !== undefined) {
    key =
      typeof jwt.jwks === 'string' || jwt.jwks instanceof URL
        ? remoteKeys(jwksUrl(jwt.jwks), jwt.jwksTimeoutMs ?? 5_000)
        : createLocalJWKSet(jwt.jwks);
  } else if (typeof jwt.key === 'string') {
    key = new TextEncoder().encode(jwt.key);
  } else if (typeof jwt.key === 'function') {
    key = keyFunction(jwt.key);
  } else if (jwt.key !== undefined) {
    key = jwt.key;
  } else {
    const misplaced = 'secret' in jwt ? ': a secret goes in jwt.key (there is no jwt.secret)' : '';
    throw invalidArgument(
      `bearerScheme: pass jwt.key (an HMAC secret of at least 32 bytes, or a public key) or jwt.jwks (the issuer's JWKS URL)${misplaced}`,
    );
  }
  if (key instanceof Uint8Array && key.length < 32 && jwt.algorithms.some((a) => a.startsWith('HS'))) {
    throw invalidArgument('bearerScheme: an HMAC secret must be at least 32 bytes (RFC 7518 §3.2)');
  }
  const verifyOptions = {
    algorithms: [...jwt.algorithms],
    clockTolerance: jwt.clockTolerance ?? 5,
    // RFC 9068 §4, RFC 8725 §3.10: a token without exp would be valid for ever.
    ...(jwt.requireExp === false ? {} : { requiredClaims: ['exp'] }),
    ...(typeof jwt.typ === 'string' ? { typ: jwt.typ } : {}),
    ...(jwt.issuer !== undefined ? { issuer: typeof jwt.issuer === 'string' ? jwt.issuer : [...jwt.issuer] } : {}),
    ...(jwt.audience !== undefined && jwt.audience !== false
      ? { audience: typeof jwt.audience === 'string' ? jwt.audience : [...jwt.audience] }
      : {}),
  };
  // Keyed on the bearer token itself, in clear, in memory, never past its exp: why that is
  // acceptable is in verified-cache.ts. What is kept is the verified payload and its principal.
  const cache =
    jwt.cache === false
      ? undefined
      : new VerifiedCache<{ payload: JWTPayload; principal: Principal }>(jwt.cache ?? {}, { exactKeys: true });
  const tolerance = (jwt.clockTolerance ?? 5) * 1000;
  const revocation = (entry: { payload: JWTPayload; principal: Principal }) => {
    const revoked = jwt.isRevoked!(entry.payload);
    const answer = (yes: boolean): Principal | Refusal =>
      yes
        ? { reason: 'token_revoked', scheme: 'bearer', detail: 'The access token was revoked.' }
        : principalOf(entry.principal, 'bearer');
    return typeof revoked === 'boolean' ? answer(revoked) : revoked.then(answer);
  };
  const verifyAndCache = async (token: string, now: number): Promise<Principal | Refusal> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, verifyOptions));
    } catch (error) {
      // The keys could not be had: the server's failure, for the guard to answer 503.
      if (error instanceof KeySourceError) throw error;
      return { reason: reasonOf(error), scheme: 'bearer', detail: detailOf(error) };
    }
    if (typeof payload.sub !== 'string')
      return { reason: 'credentials_invalid', scheme: 'bearer', detail: 'The access token has no subject (sub).' };
    // RFC 7519 §4.1.6: iat is when it was issued; one in the future (beyond the tolerance) is not
    // a clock difference but a token made to outlive its issuer's idea of time.
    if (typeof payload.iat === 'number' && payload.iat * 1000 > now + tolerance)
      return {
        reason: 'token_not_yet_valid',
        scheme: 'bearer',
        detail: `The access token claims to be issued at ${isoOf(payload.iat)}, in the future by the server's clock.`,
      };
    const scope = payload['scope'] ?? payload['scp'];
    const scopes =
      typeof scope === 'string' ? scope.split(' ').filter(Boolean) : Array.isArray(scope) ? scope.map(String) : [];
    const roles = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]).map(String) : [];
    const entry = {
      payload,
      principal: principalOf({ id: payload.sub, scopes, roles, claims: payload as Record<string, unknown> }, 'bearer'),
    };
    if (typeof payload.exp === 'number') cache?.set([token], entry, now, payload.exp * 1000 + tolerance);
    return jwt.isRevoked ? revocation(entry) : principalOf(entry.principal, 'bearer');
  };
  // Not async: a cached token is answered at once, with no promise (most requests of a client).
  return (token) => {
    const now = Date.now();
    const entry = cache?.get([token], now);
    if (entry === undefined) return verifyAndCache(token, now);
    // A cached token is still held to its exp (the cache entry never outlives it) and to revocation.
    // Each request gets its own principal: a handler that changes its lists changes no other request's.
    return jwt.isRevoked ? revocation(entry) : principalOf(entry.principal, 'bearer');
  };
}

/** The JWKS URL, refused at construction when it is none: an absolute http(s) URL. */
function jwksUrl(jwks: string | URL): URL {
  const url = URL.parse(String(jwks));
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw invalidArgument(
      `bearerScheme: jwt.jwks must be an absolute http(s) URL such as https://issuer.example/.well-known/jwks.json, or a key set object; got ${JSON.stringify(
        String(jwks)
          .replace(/\/\/[^/@]*@/, '//…@')
          .replace(/[?#].*$/, ''),
      )}`,
    );
  return url;
}

/**
 * A key function whose own failures (a key store that does not answer) are the server's, told
 * apart from the token's: jose's errors (no key for this kid, a key of the wrong type) stay the
 * token's problem, answered 401; anything else it throws becomes KeySourceError (503).
 */
function keyFunction(find: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await find(header, token);
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof KeySourceError) throw error;
      throw new KeySourceError('the jwt.key function', error);
    }
  };
}

/**
 * A remote JWKS whose failures to give keys are told apart from the token's: a refused or failed
 * fetch, ERR_JWKS_TIMEOUT, an answer that is not 200 or not JSON (jose's generic JOSEError) and
 * ERR_JWKS_INVALID become KeySourceError; ERR_JWKS_NO_MATCHING_KEY and
 * ERR_JWKS_MULTIPLE_MATCHING_KEYS stay the token's problem (its kid), answered 401.
 */
function remoteKeys(url: URL, timeoutDuration: number): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, { timeoutDuration });
  // Named in logs without userinfo or query, where a provider may have put a secret.
  const source = `${url.origin}${url.pathname}`;
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      const code = (error as { code?: unknown } | null)?.code;
      const keySourceFailed =
        !(error instanceof errors.JOSEError) ||
        code === 'ERR_JWKS_TIMEOUT' ||
        code === 'ERR_JWKS_INVALID' ||
        code === 'ERR_JOSE_GENERIC';
      throw keySourceFailed ? new KeySourceError(source, error) : error;
    }
  };
}

function reasonOf(error: unknown): Refusal['reason'] {
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return 'token_not_yet_valid';
    if (error.claim === 'aud') return 'token_audience_mismatch';
    if (error.claim === 'iss') return 'token_issuer_mismatch';
  }
  return 'credentials_invalid';
}

// Messages of our own: jose's are fine, but we say what to do and never quote the token.
function detailOf(error: unknown): string {
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

function isoOf(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : 'an unknown time';
}

function opaqueVerifier(opaque: OpaqueOptions): (token: string) => Promise<Principal | Refusal> {
  if (!opaque || typeof opaque.verify !== 'function')
    throw invalidArgument('bearerScheme: opaque.verify(token) is required');
  return async (token) => {
    const result = await opaque.verify(token);
    if (!result) return { reason: 'credentials_invalid', scheme: 'bearer', detail: 'The access token is not known.' };
    if ('reason' in result) return { ...result, scheme: 'bearer' };
    return principalOf(result, 'bearer');
  };
}
