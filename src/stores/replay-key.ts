/**
 * What a replay cache keeps for a signed request: a fixed-size digest of (key id, nonce), never the
 * text itself, so an entry costs the same whatever a key holder sends, and fits any store's key
 * (Postgres's btree and text, a Redis key). The two are hashed as a length-prefixed pair, so
 * `tenant:a` + `b` and `tenant` + `a:b` are different entries.
 */
import { createHash } from 'node:crypto';

/** base64url of SHA-256(len(keyId) ‖ keyId ‖ len(nonce) ‖ nonce), lengths as 4-byte big-endian UTF-8 byte counts. */
export function replayKeyOf(keyId: string, nonce: string): string {
  const hash = createHash('sha256');
  for (const part of [keyId, nonce]) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest('base64url');
}
