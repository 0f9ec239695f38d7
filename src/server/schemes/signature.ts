/**
 * Signed requests (see src/http/request-signature.ts): the signature is checked first, in
 * constant time, against the request-target exactly as received and the authority, then the
 * timestamp window, then the nonce, so a forger can neither pass nor use up other people's nonces.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from '../../http/argument-error.ts';
import {
  malformedNonce,
  SIGNATURE_HEADERS,
  SIGNATURE_SCHEME,
  type SignatureLayout,
  signingString,
  unsignableTarget,
} from '../../http/index.ts';
import type { NonceStore, SigningKeyLookup, SigningKeyRecord } from '../../stores/lookups.ts';
import { memoryNonces } from '../../stores/memory.ts';
import { NonceStoreFullError } from '../../stores/nonce-store-full.ts';
import { type Principal, principalOf } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import type { Detection, GuardRequest, Scheme } from '../scheme.ts';
import { replayWindowSeconds } from './replay-window.ts';

export interface SignatureSchemeOptions {
  keys: SigningKeyLookup;
  /** @default 'authorization' */
  layout?: SignatureLayout;
  /** How far the timestamp may be from the server's clock, in seconds: a whole number from 1 to 3600. @default 300 */
  windowSeconds?: number;
  /** The replay cache; share one (Redis) across instances. @default memoryNonces() */
  nonces?: NonceStore;
  /**
   * The authority (host[:port], as clients name this API in their URLs) that signatures must be
   * for, or several. Set it to tie signatures to this service whatever Host a client sends, and
   * behind a proxy that rewrites Host. @default the request's Host field
   */
  authority?: string | readonly string[];
}

interface SignatureParts {
  keyId: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

export function signatureScheme(options: SignatureSchemeOptions): Scheme<SignatureParts> {
  if (!options?.keys || typeof options.keys.findSigningKey !== 'function')
    throw invalidArgument('signatureScheme: keys must have findSigningKey(keyId)');
  const layout = options.layout ?? 'authorization';
  // Checked as the client's hmacSignature() checks it: any other value (a misspelling, a name from
  // untyped code) would read the parts from the wrong place and refuse every signed request, silently.
  if (layout !== 'authorization' && layout !== 'headers')
    throw invalidArgument(
      `signatureScheme: layout must be 'authorization' or 'headers', got ${JSON.stringify(layout)}`,
    );
  const check: SignatureCheck = {
    keys: options.keys,
    windowSeconds: replayWindowSeconds('signatureScheme: windowSeconds', options.windowSeconds, 300),
    nonces: options.nonces ?? memoryNonces(),
    authorities: authoritiesOf(options.authority),
  };

  return {
    name: 'signature',
    precedence: 50,
    needsBody: true,
    authorizationSchemes: layout === 'authorization' ? [SIGNATURE_SCHEME.toLowerCase()] : [],
    detect: (request) => (layout === 'headers' ? fromSignatureHeaders(request) : fromAuthorizationParams(request)),
    verify: (parts, request) => verifySignature(check, parts, request),
    challenge: (realm) => ({ scheme: SIGNATURE_SCHEME, params: { realm } }),
    openapi: () =>
      layout === 'headers'
        ? {
            type: 'apiKey',
            in: 'header',
            name: SIGNATURE_HEADERS.signature,
            description: `HMAC-SHA256 signature; see ${SIGNATURE_SCHEME}`,
          }
        : {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: `${SIGNATURE_SCHEME} keyId, timestamp, nonce, signature`,
          },
  };
}

/** What verifying a signed request reads, settled when the scheme is built. */
interface SignatureCheck {
  keys: SigningKeyLookup;
  windowSeconds: number;
  nonces: NonceStore;
  /** The authorities a signature may be for; undefined: the request's own. */
  authorities: readonly string[] | undefined;
}

/** The signed request's parts, each in a header of its own. */
function fromSignatureHeaders(request: GuardRequest): Detection<SignatureParts> {
  const h = request.request.headers;
  const signature = h.get(SIGNATURE_HEADERS.signature);
  if (signature === null) return { present: false };
  const parts = {
    keyId: h.get(SIGNATURE_HEADERS.keyId),
    timestamp: h.get(SIGNATURE_HEADERS.timestamp),
    nonce: h.get(SIGNATURE_HEADERS.nonce),
    signature,
  };
  const missing = Object.entries(parts).find(([, v]) => v === null);
  if (missing) return { present: true, malformed: `the signed request lacks its ${missing[0]} header` };
  return wellFormed(parts as SignatureParts);
}

/** The signed request's parts, as parameters of its Authorization field. */
function fromAuthorizationParams(request: GuardRequest): Detection<SignatureParts> {
  const parsed = request.authorization;
  if (
    !parsed?.ok ||
    parsed.credentials.kind !== 'other' ||
    parsed.credentials.scheme.toLowerCase() !== SIGNATURE_SCHEME.toLowerCase()
  )
    return { present: false };
  const p = parsed.credentials.params;
  for (const name of ['keyid', 'timestamp', 'nonce', 'signature']) {
    if (!p[name]) return { present: true, malformed: `the signature lacks its ${name} parameter` };
  }
  return wellFormed({
    keyId: p['keyid']!,
    timestamp: p['timestamp']!,
    nonce: p['nonce']!,
    signature: p['signature']!,
  });
}

const invalid = (detail: string): Refusal => ({ reason: 'signature_invalid', scheme: 'signature', detail });

async function verifySignature(
  check: SignatureCheck,
  parts: SignatureParts,
  request: GuardRequest,
): Promise<Principal | Refusal> {
  // The target as received, never as a URL parser would resolve it: what was signed is then
  // what the app routes on. A target some parser could still resolve otherwise is refused.
  const target = request.target;
  const unsignable = unsignableTarget(target);
  if (unsignable) return invalid(`${unsignable}: sign and send the path as a URL parser normalises it.`);
  const key = await check.keys.findSigningKey(parts.keyId);
  // Computed for an unknown key too, so the time taken does not tell whether the key exists.
  const matches = signatureMatches(check.authorities, parts, request, target, key?.secret ?? 'no such key');
  if (!key || !matches) {
    return invalid(
      'The signature does not match the request: sign the exact keyId, method, authority, path and query, timestamp, nonce and body sent.',
    );
  }
  return freshRequest(check, parts, key);
}

/** Whether the signature is the HMAC of the request for one of the authorities, compared in constant time. */
function signatureMatches(
  authorities: readonly string[] | undefined,
  parts: SignatureParts,
  request: GuardRequest,
  target: string,
  secret: string,
): boolean {
  const given = /^[0-9a-f]{64}$/.test(parts.signature) ? Buffer.from(parts.signature, 'hex') : Buffer.alloc(0);
  const bodySha256 = createHash('sha256')
    .update(request.body ?? new Uint8Array(0))
    .digest('hex');
  let matches = false;
  for (const authority of authorities ?? [request.authority]) {
    const expected = createHmac('sha256', secret)
      .update(
        signingString({
          keyId: parts.keyId,
          method: request.request.method,
          authority,
          target,
          timestamp: parts.timestamp,
          nonce: parts.nonce,
          bodySha256,
        }),
      )
      .digest();
    // Every authority is tried, so the time taken does not tell which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matches = true;
  }
  return matches;
}

/** A request signed rightly is served once, inside the timestamp window: then the key's principal. */
async function freshRequest(
  { windowSeconds, nonces }: SignatureCheck,
  parts: SignatureParts,
  key: SigningKeyRecord,
): Promise<Principal | Refusal> {
  const skew = Math.abs(Date.now() / 1000 - Number(parts.timestamp));
  if (!/^\d{1,12}$/.test(parts.timestamp) || skew > windowSeconds) {
    return {
      reason: 'signature_expired',
      scheme: 'signature',
      detail: `The request was signed ${Math.round(skew)} s away from the server's clock; the window is ${windowSeconds} s.`,
    };
  }
  let fresh: boolean;
  try {
    fresh = await nonces.remember(recordKeyId(key, parts.keyId), parts.nonce, windowSeconds * 2000);
  } catch (error) {
    // A replay cache that cannot take the nonce fails closed: the request is not served, and
    // since the signature is good, the refusal is the server's (503), not the client's.
    if (!(error instanceof NonceStoreFullError)) throw error;
    return {
      reason: 'store_unavailable',
      scheme: 'signature',
      detail: error.perKey
        ? "This key's share of the replay cache is full of nonces still inside their window; send the request again later."
        : 'The replay cache is full of nonces still inside their window; send the request again later.',
      retryAfterMs: error.retryAfterMs,
    };
  }
  if (!fresh) {
    return {
      reason: 'signature_replayed',
      scheme: 'signature',
      detail: 'This nonce was already used: each signed request needs a new one.',
    };
  }
  return principalOf(key, 'signature');
}

/**
 * The nonce's format is checked here, from the credentials alone, before the key lookup, the HMAC
 * or the replay cache: a nonce outside it is a malformed credential (400), like a missing one.
 */
function wellFormed(parts: SignatureParts): Detection<SignatureParts> {
  const malformed = malformedNonce(parts.nonce);
  return malformed ? { present: true, malformed } : { present: true, credentials: parts };
}

/**
 * The key a nonce is remembered under (and whose share of the replay cache it takes): the keyId of
 * the record the lookup found, not the keyId as sent. A lookup may find one record under several
 * spellings (a case-insensitive collation, a folding lookup); named by the spelling sent, one
 * captured request would be served once per spelling, and one key would take a share per spelling.
 * A record without a keyId (untyped code) is named as sent.
 */
function recordKeyId(key: SigningKeyRecord, sent: string): string {
  return typeof key.keyId === 'string' && key.keyId !== '' ? key.keyId : sent;
}

function authoritiesOf(option: string | readonly string[] | undefined): readonly string[] | undefined {
  if (option === undefined) return undefined;
  const list = typeof option === 'string' ? [option] : option;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((a) => typeof a === 'string' && a !== '' && !/[\s/?#@]/.test(a))
  )
    throw invalidArgument('signatureScheme: authority must be a host[:port] (or a non-empty list of them)');
  return list.map((a) => a.toLowerCase());
}
