/**
 * The bearer scheme's JWT options, and the one place they are checked: once, when the scheme is
 * built, so that no token can choose its own algorithm, key or audience.
 */
import type { CryptoKey, JSONWebKeySet, JWTPayload, JWTVerifyGetKey, JWTVerifyOptions, KeyObject } from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { VerifiedCacheOptions } from '../credentials/verified-cache.ts';
import { algorithmFamily, checkJwtKey } from './jwt-key.ts';

/** Seconds of clock difference forgiven between an issuer and this server (iat, exp, nbf, auth_time). */
export const DEFAULT_CLOCK_TOLERANCE = 5; // s

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
  /**
   * Whether a verified token was revoked (a jti deny-list); asked on every request, cached or not.
   * A boolean or a promise of one: any other answer (an async function that forgot its `return`
   * resolves to undefined) fails the scheme, a 500, rather than counting as "not revoked".
   */
  isRevoked?: (payload: JWTPayload) => MaybePromise<boolean>;
  /**
   * Remember verified tokens until their exp (60 s at most), so a client that reuses its token
   * costs one signature check, not one per request. false checks every time.
   * @default { ttlMs: 60_000, maxEntries: 10_000 }
   */
  cache?: VerifiedCacheOptions | false;
}

/** Refuses options that would let a token choose how it is verified; the key itself is checked by jwt-key.ts. */
export function checkJwtOptions(jwt: JwtOptions): void {
  if (jwt && jwt.algorithms !== undefined && !Array.isArray(jwt.algorithms))
    throw invalidArgument('bearerScheme: jwt.algorithms must be a list, e.g. ["ES256"], not a single name');
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
}

/** What jose checks for every token: the algorithms, exp, typ, issuer and audience pinned here. */
export function verifyOptionsOf(jwt: JwtOptions): JWTVerifyOptions {
  return {
    algorithms: [...jwt.algorithms],
    clockTolerance: jwt.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
    // RFC 9068 §4, RFC 8725 §3.10: a token without exp would be valid for ever.
    ...(jwt.requireExp === false ? {} : { requiredClaims: ['exp'] }),
    ...(typeof jwt.typ === 'string' ? { typ: jwt.typ } : {}),
    ...(jwt.issuer !== undefined ? { issuer: typeof jwt.issuer === 'string' ? jwt.issuer : [...jwt.issuer] } : {}),
    ...(jwt.audience !== undefined && jwt.audience !== false
      ? { audience: typeof jwt.audience === 'string' ? jwt.audience : [...jwt.audience] }
      : {}),
  };
}
