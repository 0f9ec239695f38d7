/** Reading a JWT without verifying it, and what the doctor flags in one. Nothing is sent anywhere. */
import type { DecodedJwt } from './types.ts';

function part(segment: string): Record<string, unknown> | undefined {
  try {
    const json = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(segment.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
      ),
    );
    return json && typeof json === 'object' && !Array.isArray(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

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

/** Header and claims of a compact JWS, or undefined when the value is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const segments = token.split('.');
  if (segments.length !== 3 || segments[0]!.length === 0 || segments[0]!.length > 8192) return undefined;
  const header = part(segments[0]!);
  const payload = part(segments[1]!);
  return header && payload ? { header, payload } : undefined;
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
