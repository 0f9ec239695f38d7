/**
 * Checking a JWT's signature for `gatehouse token inspect`: with the key the user gives, or the
 * keys of a JWKS. The answer names why a token fails (wrong key, an algorithm the key cannot
 * serve, a `kid` the JWKS lacks), never a byte of the key.
 */
import { compactVerify, errors } from 'jose';
import { decodeJwt } from '../http/jwt.ts';
import type { KeySet, VerifyKey } from './key-source.ts';

export type Verification =
  | { outcome: 'valid'; alg: string; kid?: string; from: string }
  | {
      outcome: 'invalid';
      code: 'signature_invalid' | 'alg_mismatch' | 'kid_not_found' | 'key_unusable';
      message: string;
    }
  | { outcome: 'undecided'; code: 'keys_unavailable'; message: string };

/** The kind of key an `alg` needs (RFC 7518 §3.1; RFC 8037 §3.1 for EdDSA). */
function needs(alg: string): { type: string; curve?: string; name: string } | undefined {
  if (/^HS(256|384|512)$/.test(alg)) return { type: 'secret', name: 'an HMAC secret' };
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return { type: 'rsa', name: 'an RSA key' };
  const curve = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' }[alg];
  if (curve) return { type: 'ec', curve, name: `an EC ${alg.replace('ES', 'P-').replace('512', '521')} key` };
  if (alg === 'EdDSA' || alg === 'Ed25519') return { type: 'okp', name: 'an Ed25519 key' };
  return undefined;
}

function describeKey(key: VerifyKey): string {
  if (key.kind === 'secret') return 'an HMAC secret';
  const type = key.key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') return 'an RSA public key';
  if (type === 'ec') {
    const curve = key.key.asymmetricKeyDetails?.namedCurve;
    const name = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[curve ?? ''] ?? curve;
    return `an EC ${name} public key`;
  }
  return `an ${type ?? 'unknown'} public key`;
}

function fits(key: VerifyKey, alg: string): boolean {
  const need = needs(alg);
  if (!need) return false;
  if (key.kind === 'secret') return need.type === 'secret';
  const type = key.key.asymmetricKeyType;
  if (need.type === 'rsa') return type === 'rsa' || (type === 'rsa-pss' && alg.startsWith('PS'));
  if (need.type === 'ec') return type === 'ec' && key.key.asymmetricKeyDetails?.namedCurve === need.curve;
  if (need.type === 'okp') return type === 'ed25519';
  return false;
}

/** Verifies `token` (already a decodable JWT) against a key set; the caller flags times and alg none. */
export async function verifyToken(token: string, set: KeySet): Promise<Verification> {
  if ('unavailable' in set) return { outcome: 'undecided', code: 'keys_unavailable', message: set.unavailable };
  const jwt = decodeJwt(token)!;
  const alg = String(jwt.header['alg'] ?? '');
  const kid = typeof jwt.header['kid'] === 'string' ? jwt.header['kid'] : undefined;
  const fromSet = set.keys.some((k) => k.kid !== undefined) || set.keys.length !== 1;
  let candidates = set.keys;
  if (kid !== undefined && fromSet) {
    candidates = set.keys.filter((k) => k.kid === kid);
    if (candidates.length === 0) {
      const kids = set.keys.flatMap((k) => (k.kid !== undefined ? [JSON.stringify(k.kid)] : []));
      return {
        outcome: 'invalid',
        code: 'kid_not_found',
        message: `the token's kid ${JSON.stringify(kid)} is not in ${set.from}; it has ${kids.length ? kids.join(', ') : 'no kids'} (a rotated key, or another issuer's token)`,
      };
    }
  }
  const need = needs(alg);
  const usable = candidates.filter((k) => fits(k, alg));
  if (usable.length === 0) {
    const have = [...new Set(candidates.map(describeKey))].join(' or ') || 'no key';
    const confusion =
      need?.type === 'secret' && candidates.some((k) => k.kind === 'public')
        ? ': HS/RS confusion — a server that accepted this would be verifying with its public key as an HMAC secret'
        : '';
    return {
      outcome: 'invalid',
      code: 'alg_mismatch',
      message: need
        ? `the token says ${alg}, which needs ${need.name}, but the key is ${have}${confusion}`
        : `the token's alg ${JSON.stringify(alg)} is not one a key can verify (RFC 7518 §3.1)`,
    };
  }
  for (const key of usable) {
    try {
      await compactVerify(token, key.kind === 'secret' ? key.bytes : key.key, { algorithms: [alg] });
      return { outcome: 'valid', alg, ...(key.kid !== undefined ? { kid: key.kid } : {}), from: set.from };
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      const code = (error as { code?: unknown }).code;
      return {
        outcome: 'invalid',
        code: 'key_unusable',
        message: `the key cannot verify ${alg}${typeof code === 'string' ? ` (${code})` : ''}`,
      };
    }
  }
  return {
    outcome: 'invalid',
    code: 'signature_invalid',
    message: `the signature does not verify with ${usable.length > 1 ? `any of the ${usable.length} ${alg} keys of` : 'the key from'} ${set.from}: the token was signed with another key`,
  };
}
