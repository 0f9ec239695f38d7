/**
 * How many requests a client keeps in flight to one origin. Unlimited until the origin says
 * "too many" (429, or 503 with Retry-After); then halved, and grown back by one per round of
 * successes, as TCP's congestion avoidance does (additive increase, multiplicative decrease).
 * After a cooldown the client goes back in at the pace the origin just accepted, instead of
 * every waiting request at once, each of them earning another 429.
 */

interface Gate {
  inFlight: number;
  limit: number;
  waiters: Array<() => void>;
}

const UNLIMITED_AGAIN = 256; // a limit grown this far is lifted

export class OriginConcurrency {
  // One gate per origin for the client's life: a gate is never replaced, so a place taken from
  // it is always given back to it.
  readonly #gates = new Map<string, Gate>();

  #gate(origin: string): Gate {
    let gate = this.#gates.get(origin);
    if (!gate) {
      gate = { inFlight: 0, limit: Number.POSITIVE_INFINITY, waiters: [] };
      this.#gates.set(origin, gate);
    }
    return gate;
  }

  /** A place now, if there is one (the common case: no wait, no promise); undefined when full. */
  tryEnter(origin: string): (() => void) | undefined {
    const gate = this.#gate(origin);
    if (gate.inFlight >= Math.floor(gate.limit)) return undefined;
    gate.inFlight++;
    return this.#leaver(gate);
  }

  /** Waits for a place; returns the function that gives it back. Rejects when the signal aborts. */
  async enter(origin: string, signal?: AbortSignal): Promise<() => void> {
    const gate = this.#gate(origin);
    while (gate.inFlight >= Math.floor(gate.limit)) {
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
    gate.inFlight++;
    return this.#leaver(gate);
  }

  #leaver(gate: Gate): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      gate.inFlight--;
      this.#wake(gate);
    };
  }

  /** The origin refused for load: halve what it is sent at once. */
  tooMany(origin: string): void {
    const gate = this.#gate(origin);
    gate.limit = Math.max(1, Math.floor(Math.min(gate.limit, gate.inFlight) / 2));
  }

  /** The origin accepted one: 1/limit more, so a whole round of successes adds one place. */
  accepted(origin: string): void {
    const gate = this.#gate(origin);
    if (gate.limit === Number.POSITIVE_INFINITY) return;
    const grown = gate.limit + 1 / gate.limit;
    gate.limit = grown >= UNLIMITED_AGAIN ? Number.POSITIVE_INFINITY : grown;
    this.#wake(gate);
  }

  #wake(gate: Gate): void {
    // Woken waiters check again before they go, so waking one too many is harmless.
    let room = Math.floor(gate.limit) - gate.inFlight;
    while (room-- > 0 && gate.waiters.length > 0) gate.waiters.shift()!();
  }
}
