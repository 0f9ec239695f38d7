/**
 * Where the bearer scheme finds its verification key: jwt.key (a secret, a public key, a function)
 * or jwt.jwks (a URL or a key set). A key source that fails to give keys is the server's failure
 * (KeySourceError, answered 503), told apart from the token's own problem (answered 401).
 */
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JWTVerifyGetKey,
  type KeyObject,
} from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import { KeySourceError } from '../server-failure.ts';
import type { JwtOptions } from './jwt-options.ts';

export type VerificationKey = Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey;

export function verificationKeyOf(jwt: JwtOptions): VerificationKey {
  let key: VerificationKey;
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
  return key;
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
