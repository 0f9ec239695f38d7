/**
 * The keys `gatehouse token inspect` verifies a JWT with: a `--key` (an HMAC secret as text, a PEM
 * public key, private key or certificate, a JWK or a JWK Set, as text or a file), a `--jwks` URL,
 * or an `--issuer` whose discovery document names its `jwks_uri`. Fetches are bounded in time and
 * size. Nothing here ever puts key material into a message.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { GatehouseError } from '../http/gatehouse-error.ts';

/** One key to try: an HMAC secret or a public key, with the `kid` a JWKS gave it. */
export type VerifyKey =
  | { kind: 'secret'; bytes: Uint8Array; kid?: string }
  | { kind: 'public'; key: KeyObject; kid?: string };

/** A key option (--key, --jwks, --issuer) given wrongly: the CLI's usage error (exit 64). KeySourceError is the server's, for a key source that failed. */
export class KeyOptionError extends GatehouseError {
  static override readonly code = 'key_source_invalid';
  declare readonly code: typeof KeyOptionError.code;
  constructor(message: string) {
    super(message, KeyOptionError.code);
  }
}

/** Keys, or why they could not be had (the source was right, the network or the server was not). */
export type KeySet = { keys: VerifyKey[]; from: string } | { unavailable: string };

const KEY_FILE_LIMIT = 64 * 1024;
const FETCH_LIMIT = 256 * 1024; // a JWKS or discovery document larger than this is not one
const FETCH_TIMEOUT_MS = 5000;

/** `--key VALUE`: a file when one exists by that name, else the text itself. */
export function keysFromOption(value: string): VerifyKey[] {
  const text = readKeyFile(value);
  return text === undefined ? parseKeyText(value) : parseKeyText(text.replace(/\r?\n$/, ''));
}

/**
 * A value that is plainly a path: a relative or home prefix, a key file's extension, or an absolute
 * path of plain path characters with no base64 padding. A base64 secret can contain `/`, so a lone
 * slash inside does not make a path.
 */
function looksLikePath(value: string): boolean {
  // Paths hold spaces ("My Keys/public.pem"); no secret ends in a key file's extension.
  if (/^[^\n]{1,1024}\.(pem|jwk|jwks|json|key|crt|cer|pub|txt|secret)$/i.test(value)) return true;
  if (value.length > 255 || /\s/.test(value)) return false;
  if (/^(\.{1,2}|~)\//.test(value)) return true;
  return /^\/[\w.-]+\/[\w./-]*$/.test(value) && !/[+=]/.test(value);
}

function readKeyFile(path: string): string | undefined {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    // Not a file: the value is the key itself, unless it is plainly a file name that was mistyped
    // (a secret that ends in ".pem" would be a strange one). The value is never echoed.
    if (looksLikePath(path))
      throw new KeyOptionError(
        '--key: it looks like a file path, but no such file exists; give the path of the key file, or the key itself',
      );
    return undefined;
  }
  // A directory is a path mistyped, never a key: its name is not taken as a secret.
  if (stat.isDirectory()) throw new KeyOptionError('--key: it names a directory; give the path of the key file');
  if (!stat.isFile()) return undefined;
  const size = Number(stat.size);
  if (size > KEY_FILE_LIMIT) throw new KeyOptionError(`--key: the file is over ${KEY_FILE_LIMIT} bytes; no key is`);
  const buffer = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function parseKeyText(text: string): VerifyKey[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      // A private key or a certificate gives its public key: only the public half is ever used.
      return [{ kind: 'public', key: createPublicKey(trimmed) }];
    } catch {
      throw new KeyOptionError('--key: that PEM is not a public key, private key or certificate');
    }
  }
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new KeyOptionError('--key: it starts like a JWK but is not valid JSON');
    }
    const set = jwkSet(json);
    if (set) return set;
    const key = jwkKey(json);
    if (!key) throw new KeyOptionError('--key: that JSON is neither a JWK nor a JWK Set');
    return [key];
  }
  return [{ kind: 'secret', bytes: new TextEncoder().encode(text) }];
}

/** The keys of a JWK Set (RFC 7517 §5); one that cannot be read is left out. */
export function jwkSet(json: unknown): VerifyKey[] | undefined {
  const keys = (json as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) return undefined;
  return keys.flatMap((k) => {
    const key = jwkKey(k);
    return key ? [key] : [];
  });
}

function jwkKey(json: unknown): VerifyKey | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const jwk = json as Record<string, unknown>;
  const kid = typeof jwk['kid'] === 'string' ? { kid: jwk['kid'] } : {};
  // RFC 7518 §6.4: a symmetric key's bytes are its `k`, base64url.
  if (jwk['kty'] === 'oct')
    return typeof jwk['k'] === 'string'
      ? { kind: 'secret', bytes: Buffer.from(jwk['k'], 'base64url'), ...kid }
      : undefined;
  try {
    return { kind: 'public', key: createPublicKey({ key: jwk as never, format: 'jwk' }), ...kid };
  } catch {
    return undefined;
  }
}

/** `--jwks URL` or `--issuer URL`, checked before anything is fetched. */
export function httpUrl(option: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KeyOptionError(`${option} takes an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new KeyOptionError(`${option} takes an http(s) URL, not ${url.protocol}`);
  return url;
}

export async function keysFromJwks(url: URL): Promise<KeySet> {
  const fetched = await fetchJson(url);
  if ('unavailable' in fetched) return { unavailable: `the JWKS at ${url.href}: ${fetched.unavailable}` };
  const keys = jwkSet(fetched.json);
  if (!keys) return { unavailable: `${url.href} is not a JWK Set (no "keys" array)` };
  return { keys, from: url.href };
}

/**
 * Where an issuer's metadata may be: RFC 8414 §3 inserts the well-known part before the issuer's
 * path; OIDC Discovery §4 appends it.
 */
export function discoveryUrls(issuer: URL): string[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  return [
    `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
    `${issuer.origin}${path}/.well-known/openid-configuration`,
  ];
}

export async function keysFromIssuer(issuer: URL): Promise<KeySet> {
  const candidates = discoveryUrls(issuer);
  const tried: string[] = [];
  for (const candidate of candidates) {
    const fetched = await fetchJson(new URL(candidate));
    if ('unavailable' in fetched) {
      tried.push(`${candidate}: ${fetched.unavailable}`);
      continue;
    }
    const jwksUri = (fetched.json as { jwks_uri?: unknown })?.jwks_uri;
    if (typeof jwksUri !== 'string') {
      tried.push(`${candidate}: no jwks_uri in it`);
      continue;
    }
    let url: URL;
    try {
      url = httpUrl('jwks_uri', jwksUri);
    } catch {
      return { unavailable: `${candidate} names a jwks_uri that is not an http(s) URL` };
    }
    return keysFromJwks(url);
  }
  return { unavailable: `no discovery document for ${issuer.href} (${tried.join('; ')})` };
}

/** GET a JSON document, within FETCH_TIMEOUT_MS and FETCH_LIMIT bytes (counted while read). */
async function fetchJson(url: URL): Promise<{ json: unknown } | { unavailable: string }> {
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
    if (response.status !== 200) {
      await response.body?.cancel();
      return { unavailable: `answered ${response.status}` };
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > FETCH_LIMIT) {
      await response.body?.cancel();
      return { unavailable: `larger than ${FETCH_LIMIT} bytes` };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > FETCH_LIMIT) {
        await reader.cancel();
        return { unavailable: `larger than ${FETCH_LIMIT} bytes` };
      }
      chunks.push(value);
    }
    try {
      return { json: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
    } catch {
      return { unavailable: 'not JSON' };
    }
  } catch (error) {
    if (signal.aborted) return { unavailable: `no answer within ${FETCH_TIMEOUT_MS} ms` };
    const cause = (error as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
    const code = cause?.code ?? cause?.errors?.[0]?.code;
    return { unavailable: typeof code === 'string' ? `unreachable (${code})` : 'unreachable' };
  }
}
