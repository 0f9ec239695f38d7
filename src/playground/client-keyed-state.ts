/**
 * What the playground remembers per key a client chooses (a /limited key, a /flaky id, an
 * Idempotency-Key) or causes (a session): each entry until its own expiry, then gone, found
 * expired when it is looked up and swept as new entries come. The number of entries is bounded:
 * when all of them are still live, a new key is refused (503 store_unavailable, Retry-After until
 * the first expiry) rather than a live one forgotten, since forgetting one changes an answer (a
 * budget restored, a failure played again, an order counted afresh, a session ended).
 */
import { invalidArgument } from '../http/argument-error.ts';
import { GatehouseError } from '../http/gatehouse-error.ts';
import { problemResponse } from '../server/server-failure.ts';

/** The longest key a client may choose; a longer one is refused with 400. */
export const MAX_CLIENT_KEY_LENGTH = 400;

/** How many entries each of the playground's maps holds at most. */
export const DEFAULT_MAX_TRACKED_KEYS = 10_000;

/** Every entry is live and the map is full: thrown by `hold`, answered 503 with `fullResponse`. */
export class ClientKeyedStateFullError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_PLAYGROUND_FULL';
  declare readonly code: typeof ClientKeyedStateFullError.code;
  /** When the first entry held expires, freeing room. */
  readonly retryAfterMs: number;
  constructor(what: string, capacity: number, retryAfterMs: number) {
    super(
      `The playground holds ${capacity} ${what}, none expired yet: a new one is refused until some expire.`,
      ClientKeyedStateFullError.code,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

export interface ClientKeyedState<V> {
  /** The live value for this key, or undefined (never held, or expired: then forgotten). */
  get(key: string, now: number): V | undefined;
  /** Holds the value until `until` (ms); throws ClientKeyedStateFullError for a new key when full. */
  hold(key: string, value: V, until: number, now: number): void;
}

/** A map of `maxEntries` entries at most, each kept until its expiry; `what` names them in the 503. */
export function clientKeyedState<V>(what: string, maxEntries = DEFAULT_MAX_TRACKED_KEYS): ClientKeyedState<V> {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw invalidArgument('playground: maxTrackedKeys must be a positive integer');
  const entries = new Map<string, { value: V; until: number }>();
  // No entry expires before this: while `now` is earlier, a full sweep would find nothing.
  let earliest = Number.POSITIVE_INFINITY;
  const sweep = (now: number) => {
    if (now < earliest) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of entries) {
      if (entry.until <= now) entries.delete(key);
      else if (entry.until < next) next = entry.until;
    }
    earliest = next;
  };
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.until > now) return entry.value;
      entries.delete(key);
      return undefined;
    },
    hold(key, value, until, now) {
      // Amortised: each write looks at the two oldest writes, which expire first when windows agree.
      let looked = 0;
      for (const [oldest, entry] of entries) {
        if (looked++ === 2) break;
        if (entry.until <= now) entries.delete(oldest);
      }
      if (!entries.has(key) && entries.size >= maxEntries) {
        // Windows of different lengths expire out of order: sweep them all, at most once per expiry.
        sweep(now);
        if (entries.size >= maxEntries) throw new ClientKeyedStateFullError(what, maxEntries, earliest - now);
      }
      // Written again at the back, so that the front holds the writes longest untouched.
      entries.delete(key);
      entries.set(key, { value, until });
      if (until < earliest) earliest = until;
    },
  };
}

/** 503 store_unavailable with Retry-After, for a map full of live entries. */
export function fullResponse(error: ClientKeyedStateFullError): Response {
  return problemResponse('store_unavailable', error.message, {
    'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))),
  });
}
