/**
 * Signed requests: each request carries an HMAC-SHA256 over its method, authority (host:port),
 * path and query as sent, timestamp, nonce and body digest (see src/http/request-signature.ts
 * for the exact string).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { invalidArgument } from '../../http/argument-error.ts';
import {
  formatAuthorization,
  malformedNonce,
  SIGNATURE_HEADERS,
  SIGNATURE_SCHEME,
  type SignatureLayout,
  signingString,
} from '../../http/index.ts';
import type { AuthStrategy } from '../auth-flow.ts';
import { pathAndQuery } from '../outgoing-request.ts';

export interface HmacSignatureOptions {
  /** Names the key to the server (sent in clear). */
  keyId: string;
  /** The shared secret (never sent). */
  secret: string | Uint8Array;
  /** Where the parts travel. @default 'authorization' */
  layout?: SignatureLayout;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
  /** Makes nonces, of NONCE_FORMAT (16–128 characters of A–Z, a–z, 0–9, `_`, `-`). @default 16 random bytes, hex */
  nonce?: () => string;
}

export function hmacSignature(options: HmacSignatureOptions): AuthStrategy {
  if (!options || typeof options.keyId !== 'string' || !options.keyId)
    throw invalidArgument('hmacSignature: keyId is required');
  if (/[\r\n\0]/.test(options.keyId))
    throw invalidArgument('hmacSignature: keyId contains a character no header can carry');
  const key = typeof options.secret === 'string' ? utf8ToBytes(options.secret) : options.secret;
  if (!(key instanceof Uint8Array) || key.length === 0)
    throw invalidArgument('hmacSignature: secret must be a non-empty string or Uint8Array');
  const layout = options.layout ?? 'authorization';
  if (layout !== 'authorization' && layout !== 'headers')
    throw invalidArgument("hmacSignature: layout must be 'authorization' or 'headers'");
  const now = options.now ?? Date.now;
  const makeNonce = options.nonce ?? randomNonce;

  return {
    name: 'hmacSignature',
    async *flow(request) {
      const { bytes } = await request.body.bytes();
      const timestamp = String(Math.floor(now() / 1000));
      const nonce = makeNonce();
      // A server refuses any other nonce (400); say so here, before anything is sent.
      const malformed = typeof nonce === 'string' ? malformedNonce(nonce) : 'the nonce must be a string';
      if (malformed) throw invalidArgument(`hmacSignature: ${malformed}`);
      const signature = bytesToHex(
        hmac(
          sha256,
          key,
          utf8ToBytes(
            signingString({
              keyId: options.keyId,
              method: request.method,
              // What fetch puts in Host (RFC 9110 §7.2): lower case, without a default port.
              authority: request.url.host,
              target: pathAndQuery(request.url),
              timestamp,
              nonce,
              bodySha256: bytesToHex(sha256(bytes)),
            }),
          ),
        ),
      );
      if (layout === 'headers') {
        request.headers.set(SIGNATURE_HEADERS.keyId, options.keyId);
        request.headers.set(SIGNATURE_HEADERS.timestamp, timestamp);
        request.headers.set(SIGNATURE_HEADERS.nonce, nonce);
        request.headers.set(SIGNATURE_HEADERS.signature, signature);
      } else {
        request.headers.set(
          'authorization',
          formatAuthorization({
            kind: 'other',
            scheme: SIGNATURE_SCHEME,
            params: { keyid: options.keyId, timestamp, nonce, signature },
          }),
        );
      }
      yield request;
    },
  };
}

/** Signed requests in separate headers: X-API-Key, X-Timestamp, X-Nonce and X-Signature (the `headers` layout). */
export function headerSignature(keyId: string, secret: string): AuthStrategy {
  return hmacSignature({ keyId, secret, layout: 'headers' });
}

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return bytesToHex(bytes);
}
