/**
 * The successor a refresh-token rotation handed out, kept so that a repeat of the same exchange
 * inside the grace window gets that successor back: one chain per family, never a fork
 * (RFC 9700 §4.14.2, refresh token rotation).
 *
 * Replaying a refresh token needs its plaintext, and the store keeps refresh tokens only as SHA-256
 * hashes. So the successor is sealed (AES-256-GCM) under a key derived (HKDF-SHA256) from the parent
 * token, the one token a repeat has to present:
 * - a copy of the store yields no usable refresh token: every sealed successor needs a token the
 *   store never holds;
 * - the holder of the parent can open it, and the server opens it only inside the grace window,
 *   when that holder would get the successor by asking anyway; after the window the parent revokes
 *   the family instead;
 * - there is no server secret to configure, share between instances or rotate.
 * Rejected: deriving the successor as HMAC(serverSecret, parentHash) makes every successor
 * computable from the stored hashes by whoever has that one secret; deriving it from the parent
 * alone lets the holder of any old token compute the whole chain offline. Here the successor is
 * random: it can only be opened, with its parent, never computed.
 * The parent carries 256 random bits, so HKDF (not a password hash) is the right derivation.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1.';
const INFO = 'gatehouse refresh-token successor v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyOf(parentToken: string): Buffer {
  return Buffer.from(hkdfSync('sha256', parentToken, Buffer.alloc(0), INFO, 32));
}

/** Seals `successor` for the holder of `parentToken`; bound to the parent's record by its hash. */
export function sealSuccessor(successor: string, parentToken: string, parentHash: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(parentToken), iv);
  cipher.setAAD(Buffer.from(parentHash));
  const sealed = Buffer.concat([iv, cipher.update(successor, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return VERSION + sealed.toString('base64url');
}

/** The successor, or undefined when `sealed` was not sealed for this parent (or is damaged). */
export function openSuccessor(sealed: string, parentToken: string, parentHash: string): string | undefined {
  if (!sealed.startsWith(VERSION)) return undefined;
  const bytes = Buffer.from(sealed.slice(VERSION.length), 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(parentToken), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(parentHash));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}
