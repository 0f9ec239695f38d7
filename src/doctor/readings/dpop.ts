/**
 * What a request's DPoP credentials say (RFC 9449), read without verifying anything: the proof's
 * header and claims, the access token's binding (`cnf.jkt`). The proof and the token are secrets:
 * what is read here is shown claim by claim, never whole.
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from '../../http/jwt.ts';
import type { Context, DecodedJwt, DpopRequest } from '../types.ts';

/** The scheme of the first Authorization value, lower-cased, and its credential. */
export function authorizationScheme(context: Context): { scheme: string; credential: string } | undefined {
  const match = /^\s*(\S+)\s+(\S+)/.exec(context.authorization[0] ?? '');
  return match ? { scheme: match[1]!.toLowerCase(), credential: match[2]! } : undefined;
}

/** The one proof sent, decoded; undefined when none, several, or not a JWS. */
export function decodedProof(context: Context): DecodedJwt | undefined {
  const proofs = context.dpop?.proofs ?? [];
  return proofs.length === 1 ? decodeJwt(proofs[0]!.trim()) : undefined;
}

/** The key thumbprint the access token is bound to (RFC 9449 §6.1 `cnf.jkt`), when the token says. */
export function boundJkt(token: DecodedJwt | undefined): string | undefined {
  const cnf = token?.payload['cnf'];
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['jkt'] : undefined;
  return typeof jkt === 'string' ? jkt : undefined;
}

/** RFC 7638 §3.2: the members of each key type that its thumbprint hashes, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The SHA-256 thumbprint (RFC 7638) of the key in the proof's `jwk` header, as a token's `cnf.jkt`
 * names the key it is bound to (RFC 9449 §6.1); undefined for a header without a usable key.
 */
export function proofKeyJkt(proof: DecodedJwt): string | undefined {
  const jwk = proof.header['jwk'];
  if (typeof jwk !== 'object' || jwk === null) return undefined;
  const key = jwk as Record<string, unknown>;
  const members = THUMBPRINT_MEMBERS[String(key['kty'])];
  if (!members?.every((name) => typeof key[name] === 'string')) return undefined;
  const json = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(key[name])}`).join(',')}}`;
  return createHash('sha256').update(json).digest('base64url');
}

/** The DPoP header values of a request's header lines (a comma joins several fields, RFC 9110 §5.3). */
export function dpopProofs(headers: ReadonlyArray<readonly [string, string]>): string[] {
  return headers
    .filter(([n]) => n.toLowerCase() === 'dpop')
    .flatMap(([, v]) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** The context's `dpop` part for a request's header lines: none when it sent no DPoP header. */
export function dpopOf(headers: ReadonlyArray<readonly [string, string]>, replayOf?: number): { dpop?: DpopRequest } {
  const proofs = dpopProofs(headers);
  if (proofs.length === 0) return {};
  return { dpop: replayOf === undefined ? { proofs } : { proofs, replayOf } };
}

/**
 * For each entry of a HAR file, the index of an earlier entry whose DPoP proof had the same `jti`
 * (RFC 9449 §11.1: a proof is good once). Whatever the status: the first use is usually a 200.
 */
export function replayedProofs(entries: readonly unknown[]): Map<number, number> {
  const first = new Map<string, number>();
  const replays = new Map<number, number>();
  for (const [index, raw] of entries.entries()) {
    const request = (raw as { request?: { headers?: unknown } } | null)?.request;
    const lines = Array.isArray(request?.headers) ? (request.headers as unknown[]) : [];
    const headers = lines.flatMap((h): Array<[string, string]> => {
      const { name, value } = (h ?? {}) as { name?: unknown; value?: unknown };
      return typeof name === 'string' && typeof value === 'string' ? [[name, value]] : [];
    });
    for (const proof of dpopProofs(headers)) {
      const jti = decodeJwt(proof)?.payload['jti'];
      if (typeof jti !== 'string') continue;
      const seen = first.get(jti);
      if (seen === undefined) first.set(jti, index);
      else if (!replays.has(index)) replays.set(index, seen);
    }
  }
  return replays;
}
