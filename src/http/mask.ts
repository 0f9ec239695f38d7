/**
 * How a report shows a credential it sent: never whole, never a decodable part of a password.
 */
import { parseAuthorization } from './authorization.ts';
import { BASIC_VALUE, isSecretHeader } from './secret-headers.ts';

/** What replaces a secret in an output. */
export const REDACTED = '…';

export function maskSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length < 16) return REDACTED;
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

/**
 * A header value as a report may show it. Authorization keeps its scheme and masks the rest; a
 * Basic credential shows its username at most, parsed or not (any four characters of its base64
 * decode to three bytes of the pair, so none is shown); cookies keep their names; other secret
 * headers are masked.
 */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  // A Basic credential under another secret header's name is masked as one: the generic mask keeps
  // the last four characters, whose base64 decodes to the password's last bytes.
  if (
    lower === 'authorization' ||
    lower === 'proxy-authorization' ||
    (isSecretHeader(lower) && BASIC_VALUE.test(value))
  ) {
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
