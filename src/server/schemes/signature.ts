/**
 * Signed requests (see src/http/request-signature.ts): the signature is checked first, in
 * constant time, then the timestamp window, then the nonce, so a forger can neither pass nor
 * use up other people's nonces.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from '../../http/argument-error.ts';
import { LAB_SIGNATURE_HEADERS, SIGNATURE_SCHEME, type SignatureLayout, signingString } from '../../http/index.ts';
import { memoryNonces } from '../../stores/memory.ts';
import type { NonceStore, SigningKeyLookup } from '../lookups.ts';
import { type Principal, principalOf } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import type { Scheme } from '../scheme.ts';

export interface SignatureSchemeOptions {
  keys: SigningKeyLookup;
  /** @default 'authorization' */
  layout?: SignatureLayout;
  /** How far the timestamp may be from the server's clock, in seconds. @default 300 */
  windowSeconds?: number;
  /** The replay cache; share one (Redis) across instances. @default memoryNonces() */
  nonces?: NonceStore;
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
  const windowSeconds = options.windowSeconds ?? 300;
  const nonces = options.nonces ?? memoryNonces();
  const invalid = (detail: string): Refusal => ({ reason: 'signature_invalid', scheme: 'signature', detail });

  return {
    name: 'signature',
    precedence: 50,
    needsBody: true,
    authorizationSchemes: layout === 'authorization' ? [SIGNATURE_SCHEME.toLowerCase()] : [],
    detect(request) {
      if (layout === 'lab') {
        const h = request.request.headers;
        const signature = h.get(LAB_SIGNATURE_HEADERS.signature);
        if (signature === null) return { present: false };
        const parts = {
          keyId: h.get(LAB_SIGNATURE_HEADERS.keyId),
          timestamp: h.get(LAB_SIGNATURE_HEADERS.timestamp),
          nonce: h.get(LAB_SIGNATURE_HEADERS.nonce),
          signature,
        };
        const missing = Object.entries(parts).find(([, v]) => v === null);
        if (missing) return { present: true, malformed: `the signed request lacks its ${missing[0]} header` };
        return { present: true, credentials: parts as SignatureParts };
      }
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
      return {
        present: true,
        credentials: { keyId: p['keyid']!, timestamp: p['timestamp']!, nonce: p['nonce']!, signature: p['signature']! },
      };
    },
    async verify(parts, request): Promise<Principal | Refusal> {
      const key = await options.keys.findSigningKey(parts.keyId);
      const expected = createHmac('sha256', key?.secret ?? 'no such key')
        .update(
          signingString({
            method: request.request.method,
            target: request.url.pathname + request.url.search,
            timestamp: parts.timestamp,
            nonce: parts.nonce,
            bodySha256: createHash('sha256')
              .update(request.body ?? new Uint8Array(0))
              .digest('hex'),
          }),
        )
        .digest();
      const given = /^[0-9a-f]{64}$/.test(parts.signature) ? Buffer.from(parts.signature, 'hex') : Buffer.alloc(0);
      if (!key || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return invalid(
          'The signature does not match the request: sign the exact method, path and query, timestamp, nonce and body sent.',
        );
      }
      const skew = Math.abs(Date.now() / 1000 - Number(parts.timestamp));
      if (!/^\d{1,12}$/.test(parts.timestamp) || skew > windowSeconds) {
        return {
          reason: 'signature_expired',
          scheme: 'signature',
          detail: `The request was signed ${Math.round(skew)} s away from the server's clock; the window is ${windowSeconds} s.`,
        };
      }
      if (!(await nonces.remember(`${parts.keyId}:${parts.nonce}`, windowSeconds * 2000))) {
        return {
          reason: 'signature_replayed',
          scheme: 'signature',
          detail: 'This nonce was already used: each signed request needs a new one.',
        };
      }
      return principalOf(key, 'signature');
    },
    challenge: (realm) => ({ scheme: SIGNATURE_SCHEME, params: { realm } }),
    openapi: () =>
      layout === 'lab'
        ? {
            type: 'apiKey',
            in: 'header',
            name: LAB_SIGNATURE_HEADERS.signature,
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
