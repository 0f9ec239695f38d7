/**
 * How every Gatehouse message, report and log line shows a secret: never whole. A token long
 * enough to keep its secrecy shows its first and last four characters; anything shorter shows
 * nothing of itself.
 */
import { parseAuthorization } from './authorization.ts';

export function maskSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length < 16) return '…';
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

// Header names whose values are credentials, whatever the API calls them.
const SECRET_HEADER = /(^|-)(key|token|secret|signature|password|auth|session)(-|$)/i;

/**
 * A header value as a report may show it. Authorization keeps its scheme and masks the rest; a
 * Basic pair shows its username only (any part of the base64 would give away part of the
 * password); cookies keep their names; other credential-like headers are masked.
 */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const parsed = parseAuthorization(value);
    if (parsed.ok && parsed.credentials.kind === 'basic')
      return `${parsed.credentials.scheme ?? 'Basic'} … (user ${JSON.stringify(parsed.credentials.username)}, password hidden)`;
    if (parsed.ok && parsed.credentials.kind === 'digest')
      return `${parsed.credentials.scheme ?? 'Digest'} username=${JSON.stringify(parsed.credentials.digest.username)}, response=…`;
    const space = value.indexOf(' ');
    return space < 0 ? maskSecret(value) : `${value.slice(0, space)} ${maskSecret(value.slice(space + 1).trim())}`;
  }
  if (lower === 'cookie') return value.replace(/=([^;]*)/g, '=…');
  if (lower === 'set-cookie') return value.replace(/=([^;]*)/, '=…');
  if (SECRET_HEADER.test(lower)) return maskSecret(value);
  return value;
}
