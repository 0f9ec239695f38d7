/**
 * DPoP proofs (RFC 9449 §4): a JWT the client signs for each request with a key of its own, whose
 * public half rides in the proof's `jwk` header. Verified here for the token endpoint (which binds
 * the tokens it issues to that key, `cnf.jkt`) and for the DPoP scheme (which checks a bound token
 * came with a proof of the same key). The checks are those of RFC 9449 §4.3, in an order that lets
 * a forger use up nothing: the signature first, then the claims, then the jti in the replay cache.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, type JWK, type JWTPayload } from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import type { NonceStore } from '../../stores/lookups.ts';
import { memoryNonces } from '../../stores/memory-nonces.ts';
import { NonceStoreFullError } from '../../stores/nonce-store-full.ts';
import { canonicalCoordinates, jwkMisfit, ProofKeys, verifiedJws } from './dpop-proof-jws.ts';
import { replayWindowSeconds } from './replay-window.ts';

/**
 * The proof algorithms accepted: asymmetric only; `none` and HS* never (RFC 9449 §4.3 point 5).
 * `Ed25519` is EdDSA's fully-specified name (RFC 9864), which oauth4webapi signs with.
 */
export type DpopAlgorithm = 'ES256' | 'EdDSA' | 'Ed25519';
export const DPOP_ALGORITHMS: readonly DpopAlgorithm[] = Object.freeze(['ES256', 'EdDSA', 'Ed25519']);

export interface DpopOptions {
  /** @default ['ES256', 'EdDSA', 'Ed25519'] */
  algorithms?: readonly DpopAlgorithm[];
  /**
   * How far a proof's `iat` may be from the server's clock, either way, in seconds (RFC 9449 §11.1
   * leaves the window to the server): a whole number from 1 to 3600. Also how long a `jti` is
   * remembered (twice this). @default 60
   */
  iatWindowSeconds?: number;
  /** The replay cache of proofs' `jti` (RFC 9449 §11.1); share one (Redis) across a fleet. @default memoryNonces() */
  nonces?: NonceStore;
  /**
   * The scheme, authority and path prefix clients use to reach this server: `htu` is compared with
   * this base plus the request's path. Set it in production behind a proxy, or when serving several
   * host names: without it the authority is the request's Host (or absolute-form target), which the
   * client chose, so a proof made for another server accepting the same tokens passes here (the
   * scheme is always the connection's). @default the request URL
   */
  publicBaseUrl?: string;
  /**
   * Require a server nonce in every proof (RFC 9449 §8, §9): a proof without one, or with a stale
   * one, is refused with use_dpop_nonce and a fresh nonce in `DPoP-Nonce`. Nonces are stateless
   * (an HMAC of the time slot, a new one every `lifetimeSeconds`, 300 by default; the one before
   * is still accepted, and the answer to it carries the new one in `DPoP-Nonce`, §8.2): give every
   * instance of a fleet the same `secret` (32 bytes or more). `true`: a secret of this process only.
   * @default false
   */
  nonce?: boolean | { secret: string; lifetimeSeconds?: number };
}

/** What a request's proof is checked against. */
export interface ProofRequest {
  method: string;
  /** The request URL as received. */
  url: URL;
  /** The access token the request carries (resource requests): the proof's `ath` must hash it. */
  accessToken?: string;
  /** The key the token is bound to: checked before the jti is spent. */
  boundJkt?: string;
}

/**
 * Why a proof was not accepted. `replay_cache_full`: the proof may be good, but the replay cache
 * has no room for its jti (the server's trouble, answered 503 with `retryAfterMs`).
 */
export type ProofFailure = {
  error: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'binding_mismatch' | 'replay_cache_full';
  detail: string;
  retryAfterMs?: number;
};
/**
 * A proof accepted: its key's thumbprint, and `nonce` when the proof carried a nonce the server has
 * since replaced (the answer sends the newest, RFC 9449 §8.2, §9). A proof refused: why, and with
 * nonces on, the nonce to use.
 */
export type ProofResult = { jkt: string; nonce?: string } | (ProofFailure & { nonce?: string });

export interface DpopVerifier {
  readonly algorithms: readonly DpopAlgorithm[];
  /** Verifies the `DPoP` header values of a request (there must be exactly one). */
  verify(values: readonly string[], request: ProofRequest): Promise<ProofResult>;
  /** A fresh server nonce, or undefined when nonces are off. */
  nonce(): string | undefined;
}

const MAX_PROOF_CHARS = 8192;
const MAX_JTI_CHARS = 256;
const invalid = (detail: string): ProofFailure => ({ error: 'invalid_dpop_proof', detail });
const sha256url = (text: string) => createHash('sha256').update(text).digest('base64url');

export function dpopVerifier(options: DpopOptions = {}): DpopVerifier {
  const algorithms = [...(options.algorithms ?? DPOP_ALGORITHMS)];
  if (algorithms.length === 0 || algorithms.some((a) => !DPOP_ALGORITHMS.includes(a)))
    throw invalidArgument(`dpop: algorithms must be some of ${DPOP_ALGORITHMS.join(', ')}`);
  const window = replayWindowSeconds('dpop: iatWindowSeconds', options.iatWindowSeconds, 60);
  const base = options.publicBaseUrl === undefined ? undefined : (URL.parse(options.publicBaseUrl) ?? undefined);
  if (options.publicBaseUrl !== undefined && !base?.protocol.startsWith('http'))
    throw invalidArgument('dpop: publicBaseUrl must be an absolute http(s) URL');
  const nonces = nonceMaker(options.nonce);
  const replay = options.nonces ?? memoryNonces();
  const check = { algorithms, window, base, nonces, replay, keys: new ProofKeys() };
  return {
    algorithms,
    nonce: () => nonces?.fresh(),
    verify: async (values, request) => {
      const result = await verifyProof(check, values, request);
      // RFC 9449 §8: the refusal for a nonce carries the nonce to use.
      return 'error' in result && nonces ? { ...result, nonce: nonces.fresh() } : result;
    },
  };
}

interface ProofCheck {
  algorithms: string[];
  window: number;
  base: URL | undefined;
  nonces: NonceMaker | undefined;
  replay: NonceStore;
  /** The public keys of proofs verified lately (dpop-proof-jws.ts says why that is sound). */
  keys: ProofKeys;
}

async function verifyProof(check: ProofCheck, values: readonly string[], request: ProofRequest): Promise<ProofResult> {
  // RFC 9449 §4.3 point 1: exactly one DPoP header field.
  if (values.length !== 1) return invalid('Send exactly one DPoP header with a proof for this request.');
  const proof = values[0]!.trim();
  if (proof.length > MAX_PROOF_CHARS) return invalid('The DPoP proof is too large.');
  const signed = signedProof(check, proof);
  if ('error' in signed) return signed;
  const { payload, jkt } = signed;
  const claims = claimsFailure(check, payload, request);
  if (claims) return claims;
  if (request.boundJkt !== undefined && request.boundJkt !== jkt)
    return {
      error: 'binding_mismatch',
      detail: 'The token is bound to another key than the DPoP proof was signed with.',
    };
  // RFC 9449 §4.3 point 12, §11.1: a proof is used once; the cache is keyed per proof key.
  const fresh = await rememberJti(check.replay, jkt, payload.jti as string, check.window * 2000);
  if (typeof fresh === 'object') return fresh;
  if (!fresh) return invalid('This DPoP proof was already used: make a new proof (new jti) for every request.');
  // RFC 9449 §8.2, §9: a nonce accepted but no longer the newest is replaced in the answer itself,
  // so that the client never needs a refused request to learn the next one.
  const newest = check.nonces?.fresh();
  return newest === undefined || payload['nonce'] === newest ? { jkt } : { jkt, nonce: newest };
}

/**
 * Whether the jti is new. A cache that cannot take it fails closed (a forgotten jti is a proof that
 * can be replayed): the server's trouble, as for signed requests, never a 500.
 */
async function rememberJti(
  replay: NonceStore,
  jkt: string,
  jti: string,
  ttlMs: number,
): Promise<boolean | ProofFailure> {
  try {
    return await replay.remember(`dpop:${jkt}`, jti, ttlMs);
  } catch (error) {
    if (!(error instanceof NonceStoreFullError)) throw error;
    return {
      error: 'replay_cache_full',
      detail: 'The DPoP replay cache is full of proofs still inside their window; send the request again later.',
      retryAfterMs: error.retryAfterMs,
    };
  }
}

/**
 * Members only a private key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): a jwk with any of
 * them is no public key (RFC 9449 §4.3 point 7), whatever its kty.
 */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The proof's signature, checked with its own embedded public key only; its payload and key thumbprint. */
function signedProof(check: ProofCheck, proof: string): { payload: JWTPayload; jkt: string } | ProofFailure {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    return invalid('The DPoP header is not a compact JWS.');
  }
  // RFC 9449 §4.3 points 4-6: typ dpop+jwt, an allowed asymmetric alg, a public jwk.
  if (header.typ !== 'dpop+jwt') return invalid('The DPoP proof must have typ "dpop+jwt".');
  if (typeof header.alg !== 'string' || !check.algorithms.includes(header.alg))
    return invalid(`The DPoP proof must be signed with one of ${check.algorithms.join(', ')}.`);
  const jwk = header.jwk as JWK | undefined;
  if (!jwk || typeof jwk !== 'object' || PRIVATE_MEMBERS.some((member) => member in jwk))
    return invalid('The DPoP proof must carry the public key (no private members) in its jwk header.');
  const misfit = jwkMisfit(jwk as Record<string, unknown>, header.alg);
  if (misfit !== undefined) return invalid(misfit);
  if (!canonicalCoordinates(jwk as Record<string, unknown>, header.alg))
    return invalid(
      "The DPoP proof's jwk must write each coordinate as unpadded base64url of the curve's full size (RFC 7518 §6.2.1.2, RFC 8037 §2).",
    );
  return (
    verifiedJws(proof, header, check.keys) ??
    invalid("The DPoP proof's signature does not verify with the key in its jwk header.")
  );
}

/** RFC 9449 §4.3 points 8-11: htm, htu, iat, nonce and ath; undefined when all hold. */
function claimsFailure(check: ProofCheck, payload: JWTPayload, request: ProofRequest): ProofFailure | undefined {
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_CHARS)
    return invalid('The DPoP proof needs a jti: a unique random identifier.');
  if (htm !== request.method) return invalid(`The DPoP proof's htm must be the request method, ${request.method}.`);
  const expected = expectedHtu(check.base, request.url);
  if (typeof htu !== 'string' || withoutQuery(htu) !== expected)
    return invalid(`The DPoP proof's htu must be ${expected} (the URL the request was sent to, without query).`);
  const skew = typeof iat === 'number' ? Math.abs(Date.now() / 1000 - iat) : Number.POSITIVE_INFINITY;
  if (!(skew <= check.window))
    return invalid(
      `The DPoP proof's iat must be within ${check.window} s of the server's clock: make the proof just before sending, and check the clock.`,
    );
  if (check.nonces && !check.nonces.valid(payload['nonce']))
    return { error: 'use_dpop_nonce', detail: 'Send the proof again with the nonce of the DPoP-Nonce header.' };
  if (request.accessToken !== undefined && payload['ath'] !== sha256url(request.accessToken))
    return invalid("The DPoP proof's ath must be the SHA-256 of the access token sent (base64url).");
  return undefined;
}

/** The request URL clients see: the public base's origin and prefix, with the request's path. */
function expectedHtu(base: URL | undefined, url: URL): string {
  if (!base) return `${url.origin}${url.pathname}`;
  return `${base.origin}${base.pathname.replace(/\/$/, '')}${url.pathname}`;
}

/** RFC 9449 §4.3 point 9: compared without query and fragment, after URL normalisation (RFC 3986 §6). */
function withoutQuery(htu: string): string | undefined {
  const url = URL.parse(htu);
  return url ? `${url.origin}${url.pathname}` : undefined;
}

interface NonceMaker {
  fresh(): string;
  valid(nonce: unknown): boolean;
}

/** Stateless server nonces: the time slot and its HMAC; the current and the previous slot are valid. */
function nonceMaker(option: DpopOptions['nonce']): NonceMaker | undefined {
  if (!option) return undefined;
  const secret = option === true ? randomBytes(32) : Buffer.from(option.secret ?? '');
  if (secret.length < 32) throw invalidArgument('dpop: nonce.secret must be at least 32 bytes');
  const lifetime = (option === true ? undefined : option.lifetimeSeconds) ?? 300;
  if (!(lifetime > 0 && Number.isFinite(lifetime)))
    throw invalidArgument('dpop: nonce.lifetimeSeconds must be a positive number of seconds');
  const mac = (slot: number) => createHmac('sha256', secret).update(`dpop-nonce ${slot}`).digest();
  const slotNow = () => Math.floor(Date.now() / 1000 / lifetime);
  return {
    fresh: () => {
      const slot = slotNow();
      return `${slot.toString(36)}.${mac(slot).toString('base64url')}`;
    },
    valid: (nonce) => {
      if (typeof nonce !== 'string' || nonce.length > 128) return false;
      const [slotText, tag] = nonce.split('.');
      const slot = Number.parseInt(slotText ?? '', 36);
      if (!Number.isSafeInteger(slot) || (slot !== slotNow() && slot !== slotNow() - 1)) return false;
      const given = Buffer.from(tag ?? '', 'base64url');
      const expected = mac(slot);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
