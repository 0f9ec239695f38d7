/**
 * How many requests a client keeps in flight to one origin. Unlimited until the origin says
 * "too many" (429, or 503 with Retry-After); then halved, and grown back by one per round of
 * successes, as TCP's congestion avoidance does (additive increase, multiplicative decrease).
 * After a cooldown the client goes back in at the pace the origin just accepted, instead of
 * every waiting request at once, each of them earning another 429.
 *
 * Only origins that were told "too many" keep a gate between calls, and at most MAX_ORIGINS_HELD
 * of them beyond those in use (origin-table.ts): one that grew back to unlimited is dropped once
 * idle, and past the bound the least recently used idle gate goes (its origin starts unlimited
 * again, as a new one would).
 */
import { OriginTable } from './origin-table.ts';

/** An origin's limit, kept only once it was told "too many"; its count of places taken is in #inFlight. */
interface Gate {
  limit: number;
  waiters: Array<() => void>;
}

const UNLIMITED_AGAIN = 256; // a limit grown this far is lifted

export class OriginConcurrency {
  /**
   * Places taken per origin, every origin alike (an entry goes with its last place). Invariant: a
   * place is counted here from tryEnter()/enter() to its leaver, whether or not the origin has a
   * gate, so a gate made by tooMany() sees the places taken before it existed, and the unlimited
   * origins, almost every one, cost a count and no gate.
   */
  readonly #inFlight = new Map<string, number>();
  // A gate is dropped only when idle (no place taken, no one waiting), so every waiter wakes on the
  // gate that counts the origin.
  readonly #gates = new OriginTable<Gate>({
    expiresAt: () => Number.POSITIVE_INFINITY,
    inUse: (gate, origin) => gate.waiters.length > 0 || this.#inFlight.has(origin),
  });

  /** How many origins this holds a gate for (for the tests that bound it). */
  get originsHeld(): number {
    return this.#gates.size;
  }

  #gate(origin: string): Gate {
    let gate = this.#gates.use(origin);
    if (!gate) {
      gate = { limit: Number.POSITIVE_INFINITY, waiters: [] };
      this.#gates.set(origin, gate);
    }
    return gate;
  }

  /** Whether a place is free now: always at an origin without a gate. */
  #free(origin: string): boolean {
    const gate = this.#gates.size === 0 ? undefined : this.#gates.use(origin);
    return gate === undefined || (this.#inFlight.get(origin) ?? 0) < Math.floor(gate.limit);
  }

  /** A place now, if there is one (the common case: no wait, no promise); undefined when full. */
  tryEnter(origin: string): (() => void) | undefined {
    if (!this.#free(origin)) return undefined;
    return this.#take(origin);
  }

  /** Waits for a place; returns the function that gives it back. Rejects when the signal aborts. */
  async enter(origin: string, signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      // Read again after each wake: a woken waiter takes its place after the gate was lifted to
      // unlimited, and the last place given back may have dropped that idle gate meanwhile.
      if (this.#free(origin)) return this.#take(origin);
      const gate = this.#gates.peek(origin)!;
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          gate.waiters = gate.waiters.filter((w) => w !== wake);
          reject(signal!.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        gate.waiters.push(wake);
      });
    }
  }

  #take(origin: string): () => void {
    this.#inFlight.set(origin, (this.#inFlight.get(origin) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const n = this.#inFlight.get(origin)! - 1;
      if (n > 0) this.#inFlight.set(origin, n);
      else this.#inFlight.delete(origin);
      const gate = this.#gates.peek(origin);
      if (gate === undefined) return;
      this.#wake(origin, gate);
      // An idle unlimited gate is what no gate is: nothing to keep.
      if (n === 0 && gate.limit === Number.POSITIVE_INFINITY && gate.waiters.length === 0) this.#gates.delete(origin);
    };
  }

  /** The origin refused for load: halve what it is sent at once. */
  tooMany(origin: string): void {
    const gate = this.#gate(origin);
    gate.limit = Math.max(1, Math.floor(Math.min(gate.limit, this.#inFlight.get(origin) ?? 0) / 2));
  }

  /** The origin accepted one: 1/limit more, so a whole round of successes adds one place. */
  accepted(origin: string): void {
    // An unlimited gate (or none) has nothing to grow: it is read, not used, so nothing moves.
    const held = this.#gates.peek(origin);
    if (held === undefined || held.limit === Number.POSITIVE_INFINITY) return;
    const gate = this.#gate(origin);
    const grown = gate.limit + 1 / gate.limit;
    gate.limit = grown >= UNLIMITED_AGAIN ? Number.POSITIVE_INFINITY : grown;
    this.#wake(origin, gate);
  }

  #wake(origin: string, gate: Gate): void {
    // Woken waiters check again before they go, so waking one too many is harmless.
    let room = Math.floor(gate.limit) - (this.#inFlight.get(origin) ?? 0);
    while (room-- > 0 && gate.waiters.length > 0) gate.waiters.shift()!();
  }
}
