/**
 * Gatehouse's HMAC request signatures, the part client and server must agree on: what is
 * signed, and where the parts travel. The signature is HMAC-SHA256 over
 *
 *   Gatehouse-HMAC-SHA256 \n keyId \n METHOD \n authority \n request-target \n timestamp \n nonce \n hex(SHA-256(body))
 *
 * so a signed request cannot be replayed (nonce), delayed (timestamp window), presented under
 * another keyId (another spelling a lookup also finds, or another key with the same secret),
 * sent to another host (authority), moved to another path or query or method, or given another body.
 */

export const SIGNATURE_SCHEME = 'Gatehouse-HMAC-SHA256';

export interface SigningInput {
  /**
   * The keyId exactly as the request carries it (as RFC 9421 §2.3 signs `keyid`): a signature is
   * then for that key alone, whatever else a server's key lookup would find the same secret under.
   */
  keyId: string;
  method: string;
  /**
   * The authority the request is for, as in RFC 9421 §2.2.3 (`@authority`): host[:port] in lower
   * case, as the client's URL has it and the Host field carries it (RFC 9110 §7.2).
   */
  authority: string;
  /**
   * The request-target in origin-form, exactly as sent on the request line (RFC 9112 §3.2.1):
   * path and query, byte for byte, with nothing resolved or re-encoded.
   */
  target: string;
  /** Unix time in seconds, as a decimal string. */
  timestamp: string;
  /** Fresh for each request, of the format NONCE_FORMAT describes. */
  nonce: string;
  /** Hex SHA-256 of the body bytes (of zero bytes when there is none). */
  bodySha256: string;
}

export function signingString(input: SigningInput): string {
  return [
    SIGNATURE_SCHEME,
    input.keyId,
    input.method.toUpperCase(),
    input.authority.toLowerCase(),
    input.target,
    input.timestamp,
    input.nonce,
    input.bodySha256,
  ].join('\n');
}

/**
 * What a nonce may be: 16 to 128 characters of A–Z, a–z, 0–9, `_` and `-` (hex, base64url or a
 * UUID fit; the client sends 32 hex digits). A server checks it before any lookup, so a nonce
 * costs it a bounded amount whatever a key holder sends.
 */
export const NONCE_FORMAT = Object.freeze({ minLength: 16, maxLength: 128, characters: 'A-Za-z0-9_-' });
const NONCE = new RegExp(`^[${NONCE_FORMAT.characters}]{${NONCE_FORMAT.minLength},${NONCE_FORMAT.maxLength}}$`);

/** Why `nonce` is not of NONCE_FORMAT, or undefined when it is. */
export function malformedNonce(nonce: string): string | undefined {
  if (NONCE.test(nonce)) return undefined;
  return `the nonce must be ${NONCE_FORMAT.minLength} to ${NONCE_FORMAT.maxLength} characters of ${NONCE_FORMAT.characters} (it has ${nonce.length}${/[^A-Za-z0-9_-]/.test(nonce) ? ', some of them others' : ''})`;
}

// RFC 3986 §3.3 dot segments, also with their dots percent-encoded (a URL parser resolves
// `%2e%2e` as `..`: WHATWG URL, "double-dot URL path segment"), between any of the separators a
// parser or router may honour: `/`, `\` and their encoded forms.
const SEGMENT_SEPARATOR = /[/\\]|%2f|%5c/i;
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Why a server cannot verify a signature for this request-target, or undefined when it can. The
 * target must be in origin-form (RFC 9112 §3.2.1), and its path must hold no dot segment and no
 * backslash: a URL parser or router resolves those, so the target the app acts on would differ
 * from the one signed, and no client signs them (a URL parser removes them before sending).
 */
export function unsignableTarget(target: string): string | undefined {
  if (!target.startsWith('/')) return 'The request-target is not in origin-form (a path starting with "/")';
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (path.includes('\\')) return 'The request path contains a backslash';
  if (path.split(SEGMENT_SEPARATOR).some((segment) => DOT_SEGMENT.test(segment)))
    return 'The request path contains a dot segment ("." or "..", or their %2e forms)';
  return undefined;
}

/**
 * Where the parts travel. `authorization`: one `Authorization: Gatehouse-HMAC-SHA256 keyId=…,
 * timestamp=…, nonce=…, signature=…` field. `headers`: one header each, SIGNATURE_HEADERS (the
 * X-API-Key, X-Timestamp and X-Signature of the Python requests guide this project's references
 * cite, plus X-Nonce).
 */
export type SignatureLayout = 'authorization' | 'headers';

/** The `headers` layout's header names. */
export const SIGNATURE_HEADERS = Object.freeze({
  keyId: 'X-API-Key',
  timestamp: 'X-Timestamp',
  nonce: 'X-Nonce',
  signature: 'X-Signature',
});
