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
