/**
 * Keeping secrets out of every output, at one depth: client errors, doctor reports, CLI output
 * and log lines all redact through here.
 *
 * - `maskSecret` / `maskHeader`: how a report shows a credential it sent (never whole; never a
 *   decodable part of a password).
 * - `secretRedactor(secrets)`: given the secrets known at that point (the credentials sent, a
 *   client secret), scrubs every form a server may echo them in: raw, base64 and base64url (of
 *   the secret, of a Basic `user:password` pair, and the part of any longer base64 text that
 *   encodes the secret), percent-encoded (either hex case), form-encoded (`+` for spaces) and
 *   JSON-escaped.
 * - `headerSecrets(name, value)`: the secrets one header line carries (a Basic header gives its
 *   base64, its `user:password` pair and its password).
 * - `redactUrl`, `redactText`: URLs lose userinfo and secret query values; texts lose token-like
 *   JSON members and every form of the known secrets.
 */
import { parseAuthorization } from './authorization.ts';
import { decodeBasic } from './basic-credentials.ts';
import { isCredentialHeader } from './credential-headers.ts';

/** What replaces a secret in an output. */
export const REDACTED = '…';

export function maskSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length < 16) return REDACTED;
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

// Header names that look like they carry credentials, beyond the CREDENTIAL_HEADERS list: masked
// in reports and counted as secrets (a redirect drops only the list's names: `idempotency-key` is no secret to drop).
const SECRET_HEADER_NAME = /(^|-)(key|token|secret|signature|password|auth|session)(-|$)/i;

/** Whether a header's value is to be treated as a secret in outputs: the credential list, or a name that says so. */
export function isSecretHeader(name: string): boolean {
  return isCredentialHeader(name) || SECRET_HEADER_NAME.test(name);
}

/**
 * A header value as a report may show it. Authorization keeps its scheme and masks the rest; a
 * Basic credential shows its username at most, parsed or not (any four characters of its base64
 * decode to three bytes of the pair, so none is shown); cookies keep their names; other secret
 * headers are masked.
 */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const parsed = parseAuthorization(value);
    if (parsed.ok && parsed.credentials.kind === 'basic')
      return `${parsed.credentials.scheme ?? 'Basic'} … (user ${JSON.stringify(parsed.credentials.username)}, password hidden)`;
    if (parsed.ok && parsed.credentials.kind === 'digest')
      return `${parsed.credentials.scheme ?? 'Digest'} username=${JSON.stringify(parsed.credentials.digest.username)}, response=…`;
    const trimmed = value.trim();
    const space = trimmed.search(/\s/);
    if (space < 0) return maskSecret(trimmed);
    const scheme = trimmed.slice(0, space);
    if (scheme.toLowerCase() === 'basic') return `${scheme} … (not a valid user:password pair; hidden)`;
    return `${scheme} ${maskSecret(trimmed.slice(space).trim())}`;
  }
  if (lower === 'cookie') return value.replace(/=([^;]*)/g, '=…');
  if (lower === 'set-cookie') return value.replace(/=([^;]*)/, '=…');
  if (isSecretHeader(lower)) return maskSecret(value);
  return value;
}

/** The secrets one header line carries, to be scrubbed wherever a server echoes them. */
export function headerSecrets(name: string, value: string): string[] {
  const lower = name.toLowerCase();
  const trimmed = value.trim();
  const secrets = [trimmed];
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const credential = trimmed.replace(/^\S+\s+/, '').trim();
    secrets.push(credential);
    if (/^basic\s/i.test(trimmed)) {
      const decoded = decodeBasic(credential);
      if (decoded.ok) secrets.push(`${decoded.username}:${decoded.password}`, decoded.password);
      else {
        // Not a pair (no colon, encoded twice…): whatever it decodes to is secret too.
        try {
          secrets.push(atob(credential));
        } catch {}
      }
    }
  } else if (lower === 'cookie') {
    for (const part of trimmed.split(';')) {
      const equals = part.indexOf('=');
      if (equals >= 0) secrets.push(part.slice(equals + 1).trim());
    }
  }
  return secrets;
}

const MIN_SECRET = 4; // characters: shorter "secrets" would blank out ordinary words
const MIN_FRAGMENT = 8; // characters of base64 that encode part of a secret inside a longer base64 text

/** Every form of `secret` an output may carry it in (see the file's comment). */
export function secretForms(secret: string): string[] {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET) return [];
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1)]);
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  for (const encoded of [percent, form])
    forms.add(encoded).add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const bytes = new TextEncoder().encode(secret);
  const whole = base64(bytes);
  forms.add(whole).add(whole.replace(/=+$/, '')).add(toBase64Url(whole));
  // Inside a longer base64 text (a Basic pair, a base64 echo of the request), the secret's bytes
  // start at one of three alignments; the characters made only of its bits are the same whatever
  // surrounds it: scrub those.
  for (let offset = 0; offset < 3; offset++) {
    const shifted = new Uint8Array(offset + bytes.length);
    shifted.set(bytes, offset);
    const fragment = base64(shifted).slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (fragment.length >= MIN_FRAGMENT) forms.add(fragment).add(toBase64Url(fragment));
  }
  forms.delete('');
  return [...forms];
}

/** A function that replaces every form of every given secret in a text with `…`. */
export function secretRedactor(secrets: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
  if (forms.size === 0) return (text) => text;
  // Longest first, so a whole Basic pair goes before the password inside it.
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map((f) => f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return (text) => (typeof text === 'string' ? text.replace(pattern, REDACTED) : text);
}

/** Query parameters that carry credentials by convention. */
export const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'access_token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'token',
  'client_secret',
  'password',
  'sig',
  'signature',
  'code',
  'refresh_token',
  'id_token',
]);

/** The URL as it may appear in a message: no user:password@, secret query values masked. */
export function redactUrl(url: URL | string, extraSecretParams: Iterable<string> = []): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '[unparseable URL]';
  }
  parsed.username = '';
  parsed.password = '';
  const secret = new Set([...SECRET_QUERY_PARAMS, ...[...extraSecretParams].map((p) => p.toLowerCase())]);
  let changed = false;
  const params = new URLSearchParams(parsed.search);
  for (const name of new Set(params.keys())) {
    if (secret.has(name.toLowerCase())) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  if (!changed) return parsed.href;
  parsed.search = params.toString();
  return parsed.href.replaceAll('%E2%80%A6', REDACTED);
}

/** The values of a URL's secret query parameters (and its userinfo password), as secrets to scrub. */
export function urlSecrets(url: URL | string, extraSecretParams: Iterable<string> = []): string[] {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return [];
  }
  const secret = new Set([...SECRET_QUERY_PARAMS, ...[...extraSecretParams].map((p) => p.toLowerCase())]);
  const found = [...parsed.searchParams].filter(([name]) => secret.has(name.toLowerCase())).map(([, value]) => value);
  if (parsed.password) found.push(decodeURIComponent(parsed.password));
  return found;
}

const TOKEN_MEMBER =
  /("(access_token|refresh_token|id_token|token|client_secret|password|secret|api_key|apikey)"\s*:\s*")([^"\\]*(?:\\.[^"\\]*)*)(")/gi;
const PASSWORD_MEMBER = /^(client_secret|password|secret)$/i;

/**
 * An excerpt of a text a server sent: every form of every known secret replaced, token-like
 * JSON members masked (a password or secret member wholly), then cut to `maxLength`.
 */
export function redactText(text: string, secrets: Iterable<string> = [], maxLength = 300): string {
  let out = secretRedactor(secrets)(text);
  out = out.replace(TOKEN_MEMBER, (_m, open: string, member: string, value: string, close: string) => {
    const shown = PASSWORD_MEMBER.test(member) ? REDACTED : maskSecret(value);
    return open + shown + close;
  });
  return out.length > maxLength ? `${out.slice(0, maxLength)}…` : out;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

function toBase64Url(base64Text: string): string {
  return base64Text.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
}
