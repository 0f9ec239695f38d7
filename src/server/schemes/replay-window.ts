/**
 * The window of a credential checked against a replay cache (a DPoP proof's `iat`, a signed
 * request's timestamp): a whole number of seconds, from 1 to an hour, checked when the scheme is
 * made. The cache keeps each nonce for twice the window in milliseconds, which Redis takes only
 * whole (`PX` refuses a fraction at the first request); a window without end (Infinity) would keep
 * every nonce for ever, and one of NaN would refuse every request.
 */
import { invalidArgument } from '../../http/argument-error.ts';

export const MAX_REPLAY_WINDOW_SECONDS = 3600;

/** The window `value` gives, or `fallback` when it is undefined; a coded TypeError naming `name` otherwise. */
export function replayWindowSeconds(name: string, value: number | undefined, fallback: number): number {
  const window = value ?? fallback;
  if (!Number.isSafeInteger(window) || window < 1 || window > MAX_REPLAY_WINDOW_SECONDS)
    throw invalidArgument(
      `${name} must be a whole number of seconds from 1 to ${MAX_REPLAY_WINDOW_SECONDS}, got ${String(value)}`,
    );
  return window;
}
