/**
 * When one request to an origin is told to wait (429 or 503 with Retry-After), every request of
 * the same client to that origin waits too, instead of collecting 429s of its own.
 *
 * Better still, no 429 at all: when successful answers carry the IETF RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers), the client keeps the origin's quota (the units left,
 * less the requests of its own still in flight, which the server may not have counted yet) and
 * holds further requests once it is spent, until the window resets.
 */
import { parseRateLimit } from '../http/rate-limit.ts';

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

export class OriginCooldown {
  readonly #byOrigin = new Map<string, Cooldown>();
  readonly #quotas = new Map<string, Quota>();
  /** Requests sent to each origin and not answered yet. */
  readonly #sending = new Map<string, number>();

  /**
   * Before a request is sent: 0 when it may go now (and it is counted as sent: call settle() once
   * it is answered or failed), otherwise the ms until the origin's quota resets.
   */
  pace(origin: string, now = Date.now()): number {
    const quota = this.#quotas.size === 0 ? undefined : this.#quotas.get(origin);
    if (quota) {
      if (quota.resetAt <= now) this.#quotas.delete(origin);
      else if (quota.left <= 0) return quota.resetAt - now;
      else quota.left--;
    }
    this.#sending.set(origin, (this.#sending.get(origin) ?? 0) + 1);
    return 0;
  }

  /** A request pace() let go is over; a successful answer's RateLimit fields update the quota. */
  settle(origin: string, response: Response | undefined, now = Date.now()): void {
    const others = (this.#sending.get(origin) ?? 1) - 1;
    if (others > 0) this.#sending.set(origin, others);
    else this.#sending.delete(origin);
    // A refusal's wait is the cooldown's (Retry-After); only an accepted request tells the pace.
    if (!response?.ok || !response.headers.has('ratelimit')) return;
    const info = parseRateLimit(response.headers);
    if (info?.source !== 'RateLimit' || info.remaining === undefined || !info.resetMs) return;
    let quota = this.#quotas.get(origin);
    // A new window once the last one has reset; within one, the lowest count is the server's latest
    // (an answer read after a later one, on another connection, shows units that are gone).
    if (!quota || quota.resetAt <= now) {
      quota = { left: info.remaining - others, lowest: info.remaining, resetAt: now + info.resetMs };
      this.#quotas.set(origin, quota);
    }
    quota.lowest = Math.min(quota.lowest, info.remaining);
    // Every request still in flight either was counted after the lowest answer or will be: what is
    // left for new requests is the lowest count less them. Never raised past that, never lowered by
    // an old answer below what sends have already taken off.
    quota.left = Math.max(quota.left, quota.lowest - others);
  }

  /** Forgets an origin's quota: a wait for it was cut short (retry.maxRetryAfter), so send and see. */
  forgetQuota(origin: string): void {
    this.#quotas.delete(origin);
  }

  /** Records a wait; a later, longer wait replaces a shorter one, never the reverse. */
  start(origin: string, waitMs: number, response: Response, now = Date.now()): void {
    const until = now + waitMs;
    const current = this.#byOrigin.get(origin);
    if (current && current.until >= until) return;
    this.#byOrigin.set(origin, { until, status: response.status, headers: new Headers(response.headers) });
  }

  /** The active cooldown of an origin, if any. */
  get(origin: string, now?: number): Cooldown | undefined {
    if (this.#byOrigin.size === 0) return undefined; // the usual case: nothing to wait for
    const cooldown = this.#byOrigin.get(origin);
    if (!cooldown) return undefined;
    if (cooldown.until <= (now ?? Date.now())) {
      this.#byOrigin.delete(origin);
      return undefined;
    }
    return cooldown;
  }
}
