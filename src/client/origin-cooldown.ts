/**
 * When one request to an origin is told to wait (429 or 503 with Retry-After), every request of
 * the same client to that origin waits too, instead of collecting 429s of its own.
 */

export interface Cooldown {
  /** Local-clock ms until which the origin is cooling down. */
  until: number;
  /** The refusal that started it, kept to explain a request that fails fast because of it. */
  status: number;
  headers: Headers;
}

export class OriginCooldown {
  readonly #byOrigin = new Map<string, Cooldown>();

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
