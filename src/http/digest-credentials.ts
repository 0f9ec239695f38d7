/**
 * The parameters of `Digest` credentials (RFC 7616 §3.4), and the RFC 8187 encoding that
 * carries a non-ASCII username as `username*`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8187#section-3.2
 */
import { invalidArgument } from './argument-error.ts';

export interface DigestCredentials {
  /** The username, decoded from `username*` when the client sent that form. */
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  /** The request digest, in hex. */
  response: string;
  algorithm?: string;
  cnonce?: string;
  opaque?: string;
  qop?: string;
  /** The nonce count, 8 hex digits. */
  nc?: string;
  userhash?: boolean;
}

/** Builds typed credentials from parsed parameters, or names the parameter that is missing or wrong. */
export function digestFromParams(params: Record<string, string>): DigestCredentials | string {
  let username = params['username'];
  const extended = params['username*'];
  if (extended !== undefined) {
    // RFC 7616 §3.4.4: username and username* are never sent together.
    if (username !== undefined) return 'username and username* were both sent';
    username = decodeExtValue(extended);
    if (username === undefined) return 'username* is not a valid RFC 8187 value';
  }
  if (username === undefined) return 'username';
  for (const name of ['realm', 'nonce', 'uri', 'response'] as const) {
    if (params[name] === undefined) return name;
  }
  const credentials: DigestCredentials = {
    username,
    realm: params['realm']!,
    nonce: params['nonce']!,
    uri: params['uri']!,
    response: params['response']!,
  };
  for (const name of ['algorithm', 'cnonce', 'opaque', 'qop', 'nc'] as const) {
    const value = params[name];
    if (value !== undefined) credentials[name] = value;
  }
  // RFC 7616 §3.4: with qop, the client MUST send cnonce and nc.
  if (credentials.qop !== undefined) {
    if (credentials.cnonce === undefined) return 'cnonce (required with qop)';
    if (credentials.nc === undefined) return 'nc (required with qop)';
  }
  const userhash = params['userhash'];
  if (userhash !== undefined) {
    const lower = userhash.toLowerCase();
    if (lower !== 'true' && lower !== 'false') return 'userhash must be true or false';
    credentials.userhash = lower === 'true';
  }
  return credentials;
}

/** The parameters to send, in RFC 7616's order; a non-ASCII username goes as `username*`. */
export function digestToParams(digest: DigestCredentials): Record<string, string> {
  if (!digest || typeof digest !== 'object') throw invalidArgument('digest credentials: expected an object');
  for (const name of ['username', 'realm', 'nonce', 'uri', 'response'] as const) {
    if (typeof digest[name] !== 'string') throw invalidArgument(`digest credentials: "${name}" must be a string`);
  }
  const params: Record<string, string> = {};
  if (isPrintableAscii(digest.username)) params['username'] = digest.username;
  else params['username*'] = encodeExtValue(digest.username);
  params['realm'] = digest.realm;
  params['uri'] = digest.uri;
  if (digest.algorithm !== undefined) params['algorithm'] = digest.algorithm;
  params['nonce'] = digest.nonce;
  if (digest.nc !== undefined) params['nc'] = digest.nc;
  if (digest.cnonce !== undefined) params['cnonce'] = digest.cnonce;
  if (digest.qop !== undefined) params['qop'] = digest.qop;
  params['response'] = digest.response;
  if (digest.opaque !== undefined) params['opaque'] = digest.opaque;
  if (digest.userhash !== undefined) params['userhash'] = String(digest.userhash);
  return params;
}

function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// RFC 8187 §3.2.1: attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
function isAttrChar(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    '!#$&+-.^_`|~'.includes(String.fromCharCode(byte))
  );
}

/** `UTF-8''` followed by the percent-encoded UTF-8 bytes of `value`. */
export function encodeExtValue(value: string): string {
  let out = "UTF-8''";
  for (const byte of new TextEncoder().encode(value)) {
    out += isAttrChar(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes `charset'[language]'value-chars`; undefined when it is not one. */
export function decodeExtValue(ext: string): string | undefined {
  const first = ext.indexOf("'");
  const second = first < 0 ? -1 : ext.indexOf("'", first + 1);
  if (second < 0) return undefined;
  const charset = ext.slice(0, first).toLowerCase();
  if (charset !== 'utf-8' && charset !== 'iso-8859-1') return undefined;
  const chars = ext.slice(second + 1);
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    if (c === 0x25) {
      const hex = chars.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (isAttrChar(c)) {
      bytes.push(c);
    } else {
      return undefined;
    }
  }
  if (charset === 'iso-8859-1') {
    let latin1 = '';
    for (const byte of bytes) latin1 += String.fromCharCode(byte);
    return latin1;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}
