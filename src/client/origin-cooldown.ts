/**
 * When one request to an origin is told to wait (429 or 503 with Retry-After), every request of
 * the same client to that origin waits too, instead of collecting 429s of its own.
 *
 * Better still, no 429 at all: when successful answers carry the IETF RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers), the client keeps the origin's quota (the units left,
 * less the requests of its own still in flight, which the server may not have counted yet) and
 * holds further requests once it is spent, until the window resets.
 *
 * What is held per origin is bounded (origin-table.ts): an origin's cooldown and quota go once
 * both have run out, or, past MAX_ORIGINS_HELD origins, when it is the least recently used one
 * with no request in flight or waiting, so a window known closed is never forgotten for an origin
 * still in use.
 */
import { parseRateLimit } from '../http/rate-limit.ts';
import { OriginTable } from './origin-table.ts';
import { hasField } from './transport.ts';

export interface Cooldown {
  /** Local-clock ms until which the origin is cooling down. */
  until: number;
  /** The refusal that started it, kept to explain a request that fails fast because of it. */
  status: number;
  headers: Headers;
}

/** What an origin's fields said: units this client may still send, until when. */
interface Quota {
  left: number;
  /** The lowest count of units left any answer of this window gave. */
  lowest: number;
  /** Local-clock ms at which the window resets and the quota is forgotten. */
  resetAt: number;
}

/** What the client holds for one origin between calls. */
interface Held {
  cooldown: Cooldown | undefined;
  quota: Quota | undefined;
}

export class OriginCooldown {
  readonly #held = new OriginTable<Held>({
    expiresAt: (held) => Math.max(held.cooldown?.until ?? 0, held.quota?.resetAt ?? 0),
    inUse: (_held, origin) => this.#sending.has(origin) || this.#waiting.has(origin),
  });
  /** Requests sent to each origin and not answered yet (an entry goes with the last answer). */
  readonly #sending = new Map<string, number>();
  /** Requests waiting on an origin's cooldown or quota (see waiting()). */
  readonly #waiting = new Map<string, number>();

  /**
   * Before a request is sent: 0 when it may go now (and it is counted as sent: call settle() once
   * it is answered or failed), otherwise the ms until the origin's quota resets.
   */
  pace(origin: string, now = Date.now()): number {
    const held = this.#held.size === 0 ? undefined : this.#held.use(origin);
    const quota = held?.quota;
    if (held && quota) {
      if (quota.resetAt <= now) this.#forget(origin, held, 'quota');
      else if (quota.left <= 0) return quota.resetAt - now;
      else quota.left--;
    }
    count(this.#sending, origin, +1);
    return 0;
  }

  /** A request pace() let go is over; a successful answer's RateLimit fields update the quota. */
  settle(origin: string, response: Response | undefined, now = Date.now()): void {
    const others = (this.#sending.get(origin) ?? 1) - 1;
    count(this.#sending, origin, -1);
    // A refusal's wait is the cooldown's (Retry-After); only an accepted request tells the pace.
    if (!response?.ok || !hasField(response, 'ratelimit')) return;
    const info = parseRateLimit(response.headers);
    if (info?.source !== 'RateLimit' || info.remaining === undefined || !info.resetMs) return;
    const held = this.#held.use(origin) ?? { cooldown: undefined, quota: undefined };
    let quota = held.quota;
    // A new window once the last one has reset; within one, the lowest count is the server's latest
    // (an answer read after a later one, on another connection, shows units that are gone).
    if (!quota || quota.resetAt <= now) {
      quota = { left: info.remaining - others, lowest: info.remaining, resetAt: now + info.resetMs };
      held.quota = quota;
      this.#held.set(origin, held, now);
    }
    quota.lowest = Math.min(quota.lowest, info.remaining);
    // Every request still in flight either was counted after the lowest answer or will be: what is
    // left for new requests is the lowest count less them. Never raised past that, never lowered by
    // an old answer below what sends have already taken off.
    quota.left = Math.max(quota.left, quota.lowest - others);
  }

  /** Forgets an origin's quota: a wait for it was cut short (retry.maxRetryAfter), so send and see. */
  forgetQuota(origin: string): void {
    const held = this.#held.peek(origin);
    if (held) this.#forget(origin, held, 'quota');
  }

  /** Records a wait; a later, longer wait replaces a shorter one, never the reverse. */
  start(origin: string, waitMs: number, response: Response, now = Date.now()): void {
    const until = now + waitMs;
    const held = this.#held.peek(origin) ?? { cooldown: undefined, quota: undefined };
    if (held.cooldown && held.cooldown.until >= until) return;
    held.cooldown = { until, status: response.status, headers: new Headers(response.headers) };
    this.#held.set(origin, held, now);
  }

  /** The active cooldown of an origin, if any. */
  get(origin: string, now?: number): Cooldown | undefined {
    if (this.#held.size === 0) return undefined; // the usual case: nothing to wait for
    const held = this.#held.peek(origin);
    const cooldown = held?.cooldown;
    if (!held || !cooldown) return undefined;
    if (cooldown.until <= (now ?? Date.now())) {
      this.#forget(origin, held, 'cooldown');
      return undefined;
    }
    return cooldown;
  }

  /**
   * A request is about to wait on the origin's cooldown or quota: what the origin holds stays
   * until the returned function is called, however many other origins come meanwhile.
   */
  waiting(origin: string): () => void {
    count(this.#waiting, origin, +1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      count(this.#waiting, origin, -1);
    };
  }

  /** How many origins this holds anything for (for the tests that bound it). */
  get originsHeld(): number {
    return (
      new Set([...this.#sending.keys(), ...this.#waiting.keys()].filter((o) => !this.#held.has(o))).size +
      this.#held.size
    );
  }

  #forget(origin: string, held: Held, what: keyof Held): void {
    held[what] = undefined;
    if (!held.cooldown && !held.quota) this.#held.delete(origin);
    else this.#held.set(origin, held); // its expiry may be earlier now
  }
}

/** Adds to an origin's count; a count that reaches 0 is deleted, so idle origins take no room. */
function count(counts: Map<string, number>, origin: string, by: 1 | -1): void {
  const n = (counts.get(origin) ?? 0) + by;
  if (n > 0) counts.set(origin, n);
  else counts.delete(origin);
}
