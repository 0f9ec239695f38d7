/**
 * The key a bearer scheme verifies JWTs with, checked against its algorithms once, when the scheme
 * is built, so that no key serves two algorithm families. The classic forgery (RFC 8725 §2.1,
 * §3.1): a verifier that takes a public key as an HMAC secret lets anyone who holds the public key
 * (everyone) sign HS256 tokens with it.
 */
import { KeyObject as NodeKeyObject } from 'node:crypto';
import type { CryptoKey, JWTVerifyGetKey, KeyObject } from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';

/** HMAC (a shared secret) or digital signatures (a public key verifies what a private key signed). */
export type AlgorithmFamily = 'hmac' | 'signature';

export type JwtKey = string | Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey;

const isHmac = (algorithm: string) => /^HS\d+$/.test(algorithm);

const TO_PUBLIC_KEY =
  'pass the public key as a KeyObject (crypto.createPublicKey(pem)) or a CryptoKey (jose importSPKI / importJWK), or the issuer’s jwks';

/** The one family every algorithm belongs to; a list that mixes HS* with RS/PS/ES/EdDSA is refused. */
export function algorithmFamily(algorithms: readonly string[]): AlgorithmFamily {
  const hmac = algorithms.filter(isHmac);
  if (hmac.length > 0 && hmac.length < algorithms.length)
    throw invalidArgument(
      `bearerScheme: jwt.algorithms mixes HMAC (${hmac.join(', ')}) with signature algorithms ` +
        `(${algorithms.filter((a) => !isHmac(a)).join(', ')}): one key cannot serve both, and a public key taken as an ` +
        'HMAC secret lets anyone forge tokens (RFC 8725 §2.1). Accept one family per scheme: HS* with an HMAC secret, ' +
        'or the issuer’s signature algorithm with its public key (a KeyObject or CryptoKey, or jwks).',
    );
  return hmac.length > 0 ? 'hmac' : 'signature';
}

/**
 * Refuses a key that does not fit the family: bytes or a string are an HMAC secret, and only that;
 * a string that reads as a PEM or a JWK is a key in text form, never a secret; a KeyObject or
 * CryptoKey must be a secret key for HS* and a public key for the others. A function that finds the
 * key per token is checked by jose at verification, against algorithms of one family.
 */
export function checkJwtKey(family: AlgorithmFamily, key: JwtKey | undefined, withJwks: boolean): void {
  if (withJwks) {
    if (family === 'hmac')
      throw invalidArgument(
        'bearerScheme: a JWKS publishes its keys, so it cannot hold an HMAC secret; pass the secret as jwt.key, or accept signature algorithms (RS256, ES256, EdDSA, …) with jwks',
      );
    return;
  }
  if (typeof key === 'string' || key instanceof Uint8Array) {
    if (family === 'signature')
      throw invalidArgument(
        `bearerScheme: a string or bytes jwt.key is an HMAC secret, but jwt.algorithms are signature algorithms: ${TO_PUBLIC_KEY}`,
      );
    const text = (
      typeof key === 'string' ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
    ).trimStart();
    if (/-----BEGIN [A-Z0-9 ]+-----/.test(text) || text.startsWith('{'))
      throw invalidArgument(
        `bearerScheme: jwt.key reads as a PEM or a JWK, which is a key, not an HMAC secret: ${TO_PUBLIC_KEY}`,
      );
    return;
  }
  if (key instanceof NodeKeyObject || (typeof CryptoKey === 'function' && key instanceof CryptoKey)) {
    const wanted = family === 'hmac' ? 'secret' : 'public';
    if (key.type === wanted) return;
    if (key.type === 'private')
      throw invalidArgument(
        'bearerScheme: jwt.key is a private key; a server verifies with the public key (crypto.createPublicKey(privateKey)), and the private key stays with the issuer',
      );
    throw invalidArgument(
      family === 'hmac'
        ? 'bearerScheme: jwt.key is a public key, but jwt.algorithms are HMAC (HS*): a public key is no secret, so it can never verify an HMAC; accept the issuer’s signature algorithm instead'
        : `bearerScheme: jwt.key is a secret key, but jwt.algorithms are signature algorithms: ${TO_PUBLIC_KEY}`,
    );
  }
}
