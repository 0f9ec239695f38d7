/**
 * `Retry-After` (RFC 9110 §10.2.3): how long to wait before the next request, as delay-seconds
 * or as an HTTP-date.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
import { parseHttpDate } from './http-date.ts';

export interface ParseRetryAfterOptions {
  /** The local clock, in ms since the epoch. @default Date.now() */
  now?: number;
  /**
   * The response's `Date` field. When given and valid, an HTTP-date is measured against it
   * rather than the local clock, so a local clock that is off does not change the wait.
   */
  date?: string | null;
}

// RFC 9111 §1.2.2: a delta-seconds too large to represent is taken as 2^31.
const MAX_DELTA_SECONDS = 2 ** 31;

/**
 * Milliseconds to wait, `0` for a date already past, `undefined` when the value is neither form.
 *
 * @example parseRetryAfter('120') // 120000
 * @example parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', { date: 'Wed, 21 Oct 2015 07:28:00 GMT' }) // 10000
 */
export function parseRetryAfter(
  value: string | null | undefined,
  options: ParseRetryAfterOptions = {},
): number | undefined {
  if (typeof value !== 'string') return undefined;
  const input = value.trim();
  if (input.length === 0) return undefined;

  if (isDigits(input)) {
    const seconds = input.length > 10 ? MAX_DELTA_SECONDS : Math.min(Number(input), MAX_DELTA_SECONDS);
    return seconds * 1000;
  }

  const now = options.now ?? Date.now();
  const at = parseHttpDate(input, { now });
  if (at === undefined) return undefined;
  const base = parseHttpDate(options.date, { now }) ?? now;
  return Math.max(0, at - base);
}

function isDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
