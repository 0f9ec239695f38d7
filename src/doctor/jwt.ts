/** A JWT as the doctor reads it (decoded by http/jwt.ts, unverified): as pasted, and its times. Nothing is sent anywhere. */
import type { DecodedJwt } from '../http/jwt.ts';

/**
 * A token as people paste it: surrounding whitespace and quotes, and an `Authorization:` name or
 * `Bearer ` scheme copied along with it (RFC 6750 §2.1), taken off.
 */
export function pastedToken(text: string): string {
  let token = text.trim();
  const quoted = /^(["'])([\s\S]*)\1$/.exec(token);
  if (quoted) token = quoted[2]!.trim();
  return token
    .replace(/^authorization:\s*/i, '')
    .replace(/^bearer\s+/i, '')
    .trim();
}

/** Why a value is not a compact JWS, for the user who pasted it. */
export function malformedReason(token: string): string {
  const segments = token.split('.');
  if (segments.length !== 3)
    return `it has ${segments.length} part${segments.length === 1 ? '' : 's'}; a JWT has 3 (header.claims.signature, base64url)`;
  return 'its header or claims are not base64url-encoded JSON objects';
}

export const secondsClaim = (jwt: DecodedJwt, name: string): number | undefined => {
  const value = jwt.payload[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};

export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** "3 min 20 s ago", "in 2 h 5 min". */
export function relative(ms: number): string {
  const abs = Math.abs(ms);
  const parts: string[] = [];
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  let rest = abs;
  for (const [name, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
  }
  const text = parts.length ? parts.join(' ') : '0 s';
  return ms < 0 ? `${text} ago` : `in ${text}`;
}
