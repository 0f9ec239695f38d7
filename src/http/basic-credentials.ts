/**
 * The `Basic` scheme's credentials: base64 of `user-id ":" password` (RFC 7617 §2).
 * Isomorphic: `btoa`, `TextEncoder` and `TextDecoder` exist in browsers and Node alike.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
import { invalidArgument } from './argument-error.ts';

export type BasicDecodeResult =
  | { ok: true; username: string; password: string; encoding: 'utf-8' | 'iso-8859-1' }
  | { ok: false; problem: 'not_base64' | 'no_colon' | 'control_character' };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a Basic token68. Bytes that are not valid UTF-8 are read as ISO-8859-1, the
 * historical default (RFC 7617 §2.1), and `encoding` says so.
 */
export function decodeBasic(token68: string): BasicDecodeResult {
  // The pattern is linear: one character class, then a bounded run of '='.
  if (!BASE64.test(token68)) return { ok: false, problem: 'not_base64' };
  // The pattern allowed at most two '=', at the end; counted rather than cut off (no copy).
  let pad = 0;
  while (pad < token68.length && token68.charCodeAt(token68.length - 1 - pad) === 0x3d) pad++;
  const bodyLength = token68.length - pad;
  if (bodyLength % 4 === 1 || (pad > 0 && token68.length % 4 !== 0)) return { ok: false, problem: 'not_base64' };
  const binary = base64Binary(token68, bodyLength);
  let ascii = true;
  for (let i = 0; i < binary.length && ascii; i++) ascii = binary.charCodeAt(i) < 0x80;

  // ASCII reads the same in UTF-8 (the common case, and no decoder needed); other bytes are UTF-8
  // when they decode as such, else ISO-8859-1.
  let text = binary;
  let encoding: 'utf-8' | 'iso-8859-1' = 'utf-8';
  if (!ascii) {
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    try {
      text = utf8.decode(bytes);
    } catch {
      encoding = 'iso-8859-1';
    }
  }
  const colon = text.indexOf(':');
  if (colon < 0) return { ok: false, problem: 'no_colon' };
  // RFC 7617 §2: user-id and password MUST NOT contain control characters.
  if (hasControl(text)) return { ok: false, problem: 'control_character' };
  return { ok: true, username: text.slice(0, colon), password: text.slice(colon + 1), encoding };
}

// The value of each base64 character (RFC 4648 §4), by character code.
const SEXTETS = new Uint8Array(128);
for (let i = 0; i < 64; i++)
  SEXTETS['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * The bytes of base64 text as a binary string (one character per byte), as `atob` gives them
 * (forgiving-base64: the bits left over after the last whole byte are dropped). Decoded here, a
 * table lookup per character, because decodeBasic() has checked the text first: only the base64
 * alphabet before `bodyLength`, padding after it, and a length that is not one past a whole
 * group. Nothing else may call it. (No call out of JavaScript on every Basic request, as atob is.)
 */
export function base64Binary(base64: string, bodyLength: number): string {
  let binary = '';
  let i = 0;
  for (; i + 4 <= bodyLength; i += 4) {
    const group =
      (SEXTETS[base64.charCodeAt(i)]! << 18) |
      (SEXTETS[base64.charCodeAt(i + 1)]! << 12) |
      (SEXTETS[base64.charCodeAt(i + 2)]! << 6) |
      SEXTETS[base64.charCodeAt(i + 3)]!;
    binary += String.fromCharCode(group >> 16, (group >> 8) & 0xff, group & 0xff);
  }
  const rest = bodyLength - i;
  if (rest === 2) {
    binary += String.fromCharCode((SEXTETS[base64.charCodeAt(i)]! << 2) | (SEXTETS[base64.charCodeAt(i + 1)]! >> 4));
  } else if (rest === 3) {
    const group =
      (SEXTETS[base64.charCodeAt(i)]! << 12) |
      (SEXTETS[base64.charCodeAt(i + 1)]! << 6) |
      SEXTETS[base64.charCodeAt(i + 2)]!;
    binary += String.fromCharCode(group >> 10, (group >> 2) & 0xff);
  }
  return binary;
}

/**
 * Encodes a user-id and password as UTF-8 then base64 (RFC 7617 §2.1, `charset="UTF-8"`).
 *
 * @throws TypeError when the user-id contains ":" or either part a control character.
 */
export function encodeBasic(username: string, password: string): string {
  if (typeof username !== 'string') throw invalidArgument('basic credentials: username must be a string');
  if (typeof password !== 'string') throw invalidArgument('basic credentials: password must be a string');
  if (username.includes(':')) {
    throw invalidArgument(
      'basic credentials: the username cannot contain ":" (RFC 7617 §2); the server could not tell where it ends',
    );
  }
  if (hasControl(username) || hasControl(password)) {
    throw invalidArgument('basic credentials: username and password cannot contain control characters (RFC 7617 §2)');
  }
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
