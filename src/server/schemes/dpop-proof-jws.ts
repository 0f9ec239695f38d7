/**
 * A DPoP proof's signature (RFC 9449 §4.3 points 5-7): its compact JWS (RFC 7515) checked with the
 * public key its `jwk` header carries, and that key's thumbprint (RFC 7638), at once, through
 * node:crypto. jose's `jwtVerify` with `EmbeddedJWK` goes through WebCrypto: a key import, a
 * verification and the thumbprint's digest, each a promise and the last two a hop to the thread
 * pool, which cost several times the verification itself. (node:crypto is no new requirement:
 * src/server leans on it throughout, this scheme's nonces included; Deno and Bun provide it.)
 * The checks are jose's, case for case (test/server/schemes/dpop-proof-jws.test.ts holds the
 * cases, which jose passed as this does): `crit` (only `b64`, true: RFC 7515
 * §4.1.11, RFC 7797), the jwk's own `use`, `alg`, `key_ops` and `ext` (RFC 7517 §4), its key type
 * and curve for the alg, the signature, a payload that is a JSON object, and `nbf`/`exp` when present.
 * One check is stricter than jose's: a coordinate must be written the one way its key can be
 * (`canonicalCoordinates`), where jose takes padding, plain base64 and short coordinates, each the
 * same key under another thumbprint.
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import type { JWTPayload } from 'jose';

type Json = Record<string, unknown>;

/** Per proof algorithm: the key type and curve a jwk must have, and the digest node:crypto verifies with. */
const KEYS: Record<string, { kty: 'EC' | 'OKP'; crv: string; digest: 'sha256' | null; bytes: number }> = {
  ES256: { kty: 'EC', crv: 'P-256', digest: 'sha256', bytes: 32 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', digest: null, bytes: 32 },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', digest: null, bytes: 32 },
};

const MAX_KEYS = 1024;

/**
 * The public keys of proofs verified lately, by thumbprint. Invariant: a thumbprint is the SHA-256
 * of exactly the members that make the key (kty, crv, x, y: RFC 7638 §3.2), so one thumbprint is
 * one public key, and whatever else a jwk carries (`use`, `alg`, `key_ops`, `ext`) is checked on
 * every proof, never remembered. A key is imported from those members alone (never a `d`: it can
 * only be public) and kept only once a proof signed with it has verified; at most 1,024, the
 * least recently used forgotten first, so a client with a new key per proof costs an import per
 * proof, never memory.
 */
export class ProofKeys {
  readonly #keys = new Map<string, KeyObject>();

  get(jkt: string): KeyObject | undefined {
    const key = this.#keys.get(jkt);
    if (key !== undefined) {
      this.#keys.delete(jkt);
      this.#keys.set(jkt, key);
    }
    return key;
  }

  keep(jkt: string, key: KeyObject): void {
    this.#keys.set(jkt, key);
    if (this.#keys.size > MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value!);
  }

  get size(): number {
    return this.#keys.size;
  }
}

/**
 * The proof's payload and its key's thumbprint, or undefined when the JWS does not verify with the
 * key it embeds. `header` is the proof's protected header, decoded; its `typ`, `alg` (one of
 * `KEYS`, allowed) and a jwk without private members are checked before.
 */
export function verifiedJws(
  proof: string,
  header: Json,
  keys: ProofKeys,
): { payload: JWTPayload; jkt: string } | undefined {
  const parts = proof.split('.');
  if (parts.length !== 3 || !critHolds(header)) return undefined;
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const alg = header['alg'] as string;
  const jwk = header['jwk'];
  if (!isObject(jwk) || !jwkFits(jwk, alg)) return undefined;
  const members = keyMembers(jwk, KEYS[alg]!.bytes);
  if (members === undefined) return undefined;
  const jkt = createHash('sha256').update(members).digest('base64url');
  const key = keys.get(jkt) ?? imported(members);
  const signature = fromBase64url(encodedSignature);
  // jose signs and verifies the ASCII of header.payload; a payload of other characters is no JWS.
  if (key === undefined || signature === undefined || /[^\x00-\x7f]/.test(encodedPayload)) return undefined;
  const input = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'latin1');
  if (!signatureHolds(KEYS[alg]!.digest, input, key, signature)) return undefined;
  keys.keep(jkt, key);
  const payload = claimsOf(encodedPayload);
  return payload === undefined ? undefined : { payload, jkt };
}

/** RFC 7515 §4.1.11: `crit` names only extensions understood; here only `b64` (RFC 7797), and a JWT's is true. */
function critHolds(header: Json): boolean {
  const crit = header['crit'];
  if (crit === undefined) return true;
  return Array.isArray(crit) && crit.length > 0 && crit.every((name) => name === 'b64') && header['b64'] === true;
}

/**
 * Why the jwk cannot verify a proof of this alg (an allowed one, from `KEYS`), in words for the
 * client; undefined when it fits. Said apart from a failed signature: a WebCrypto export of an
 * Ed25519 key says `alg: "Ed25519"`, and a proof signed as EdDSA with it is the jwk's misfit.
 */
export function jwkMisfit(jwk: Json, alg: string): string | undefined {
  if (jwkFits(jwk, alg)) return undefined;
  const { kty, crv } = KEYS[alg]!;
  return `The DPoP proof's jwk does not fit its alg ${alg}: it must be a public key with kty ${kty} and crv ${crv}, and its alg, use and key_ops, when present, ${alg}, sig and [verify] (or leave them out).`;
}

/** RFC 7517 §4.2-4.3, RFC 7515 §4.1.3: the jwk is for signatures with this alg, for verifying, and of its key type. */
function jwkFits(jwk: Json, alg: string): boolean {
  const { use, key_ops: ops, ext } = jwk;
  if (use !== undefined && use !== 'sig') return false;
  if (jwk['alg'] !== undefined && jwk['alg'] !== alg) return false;
  if (ext !== undefined && typeof ext !== 'boolean') return false;
  // WebCrypto imports a public key for exactly the operations key_ops lists: verify, and nothing else.
  if (ops !== undefined && !(Array.isArray(ops) && ops.length === 1 && ops[0] === 'verify')) return false;
  if ('priv' in jwk) return false;
  const expected = KEYS[alg]!;
  return jwk['kty'] === expected.kty && jwk['crv'] === expected.crv;
}

/**
 * RFC 7638 §3.2-3.3: the key's required members, in lexicographic order, as the thumbprint hashes
 * them; undefined unless each coordinate is written the one way a key can be. The thumbprint hashes
 * the text, and node:crypto imports a coordinate padded, in plain base64, with a leading zero byte
 * or with the unused bits of its last character set: each of those is the same key under another
 * thumbprint. So a coordinate must be base64url without padding (RFC 7515 §2), of the curve's full
 * size (RFC 7518 §6.2.1.2, RFC 8037 §2), and the very text its bytes encode to.
 */
function keyMembers(jwk: Json, bytes: number): string | undefined {
  const { crv, kty, x, y } = jwk;
  if (!isCoordinate(x, bytes) || (kty === 'EC' && !isCoordinate(y, bytes))) return undefined;
  return JSON.stringify(kty === 'EC' ? { crv, kty, x, y } : { crv, kty, x });
}

/**
 * Whether a jwk that fits `alg` (no jwkMisfit) writes each coordinate the one way its key can be,
 * as keyMembers reads it: false tells the client why its key is refused, before any signature is read.
 */
export function canonicalCoordinates(jwk: Json, alg: string): boolean {
  return keyMembers(jwk, KEYS[alg]!.bytes) !== undefined;
}

function isCoordinate(value: unknown, bytes: number): value is string {
  if (typeof value !== 'string' || value.length !== Math.ceil((bytes * 4) / 3) || !/^[\w-]+$/.test(value)) return false;
  return Buffer.from(value, 'base64url').toString('base64url') === value;
}

/** The public key the members make, or undefined when they make none (a point off the curve, bad lengths). */
function imported(members: string): KeyObject | undefined {
  try {
    return createPublicKey({ key: JSON.parse(members) as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
}

function signatureHolds(digest: 'sha256' | null, input: Buffer, key: KeyObject, signature: Buffer): boolean {
  const der = digest === null ? signature : derOfP1363(signature);
  try {
    return der !== undefined && verify(digest, input, key, der);
  } catch {
    return false; // a signature node:crypto cannot even read is one that does not verify
  }
}

/**
 * RFC 7518 §3.4: an ES256 signature is R and S, 32 bytes each, side by side; node:crypto verifies
 * the same two integers as a DER SEQUENCE (RFC 3279 §2.2.3), and the conversion is exact. Done
 * here rather than with `dsaEncoding: 'ieee-p1363'`, whose conversion inside node:crypto costs a
 * third of a verification more. Any other length is no ES256 signature (WebCrypto answers false).
 */
function derOfP1363(signature: Buffer): Buffer | undefined {
  if (signature.length !== 64) return undefined;
  const integer = (bytes: Buffer) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const value = bytes.subarray(start);
    // A DER INTEGER is signed: a leading byte with its high bit set needs a zero before it.
    const pad = value[0]! & 0x80 ? 1 : 0;
    return Buffer.concat([Buffer.of(0x02, value.length + pad), Buffer.alloc(pad), value]);
  };
  const body = Buffer.concat([integer(signature.subarray(0, 32)), integer(signature.subarray(32))]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

/** RFC 7519 §7.2 point 10, §4.1.4-4.1.6: the claims are a JSON object; nbf and exp, when present, hold now. */
function claimsOf(encodedPayload: string): JWTPayload | undefined {
  const bytes = fromBase64url(encodedPayload);
  let claims: unknown;
  try {
    claims = bytes && JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
  if (!isObject(claims)) return undefined;
  const { iat, nbf, exp } = claims;
  const now = Math.floor(Date.now() / 1000);
  for (const time of [iat, nbf, exp]) if (time !== undefined && typeof time !== 'number') return undefined;
  if ((nbf as number | undefined) !== undefined && (nbf as number) > now) return undefined;
  if ((exp as number | undefined) !== undefined && (exp as number) <= now) return undefined;
  return claims;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64URL = /^[\w-]*$/;

/** base64url as jose reads it: `+` and `/` refused, then what `atob` takes (padding, spaces) taken. */
function fromBase64url(text: string): Buffer | undefined {
  // The usual text, base64url's alphabet only, decodes alike either way; Buffer's way is the quicker.
  if (BASE64URL.test(text) && text.length % 4 !== 1) return Buffer.from(text, 'base64url');
  if (text.includes('+') || text.includes('/')) return undefined;
  try {
    return Buffer.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), 'latin1');
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
