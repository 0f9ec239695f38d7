/**
 * Gatehouse's HMAC request signatures, the part client and server must agree on: what is
 * signed, and where the parts travel. The signature is HMAC-SHA256 over
 *
 *   Gatehouse-HMAC-SHA256 \n METHOD \n path?query \n timestamp \n nonce \n hex(SHA-256(body))
 *
 * so a signed request cannot be replayed (nonce), delayed (timestamp window), moved to another
 * path or method, or given another body.
 */

export const SIGNATURE_SCHEME = 'Gatehouse-HMAC-SHA256';

export interface SigningInput {
  method: string;
  /** The request-target: path and query, as sent. */
  target: string;
  /** Unix time in seconds, as a decimal string. */
  timestamp: string;
  nonce: string;
  /** Hex SHA-256 of the body bytes (of zero bytes when there is none). */
  bodySha256: string;
}

export function signingString(input: SigningInput): string {
  return [
    SIGNATURE_SCHEME,
    input.method.toUpperCase(),
    input.target,
    input.timestamp,
    input.nonce,
    input.bodySha256,
  ].join('\n');
}

/**
 * Where the parts travel. `authorization`: one `Authorization: Gatehouse-HMAC-SHA256 keyId=…,
 * timestamp=…, nonce=…, signature=…` field. `lab`: the separate headers of the requests lab
 * this project's references use (X-API-Key, X-Timestamp, X-Signature), plus X-Nonce.
 */
export type SignatureLayout = 'authorization' | 'lab';

export const LAB_SIGNATURE_HEADERS = Object.freeze({
  keyId: 'X-API-Key',
  timestamp: 'X-Timestamp',
  nonce: 'X-Nonce',
  signature: 'X-Signature',
});
