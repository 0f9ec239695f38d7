/**
 * What a client keeps per origin between calls (a cooldown, a RateLimit quota, a smaller
 * concurrency), bounded whatever the traffic. A crawler, a proxy or a doctor probing many hosts
 * talks to ever new origins; an entry removed only by the next call to its origin would stay for
 * the client's life, one per origin ever seen.
 *
 * Invariant: at most MAX_ORIGINS_HELD entries beyond those in use. An entry in use (a request of
 * the client in flight to its origin, or waiting on what it holds) is never dropped, so the bound
 * is exceeded only by as many origins as the caller has requests to at once. To make room, entries
 * that hold nothing any more (expired) go first, then the least recently used. An entry dropped
 * early belongs to an origin no call touched while MAX_ORIGINS_HELD others were: its next request
 * goes as to an origin never seen, and the server's answer (429, RateLimit fields) sets it again.
 */

/** Origins a client holds state for, beyond those it has requests to right now. */
export const MAX_ORIGINS_HELD = 1_024;

export interface OriginTableRules<V> {
  /** Local-clock ms from which the entry holds nothing (Infinity: until it is deleted). */
  expiresAt(entry: V, origin: string): number;
  /** Whether a request of the client depends on the entry now: such an entry is never dropped. */
  inUse(entry: V, origin: string): boolean;
}

export class OriginTable<V> {
  // A Map iterates in insertion order: moving an entry to the end on each use keeps the least
  // recently used first.
  readonly #entries = new Map<string, V>();
  readonly #rules: OriginTableRules<V>;
  readonly #cap: number;
  /** No entry expires before this, so a sweep before then would prune nothing. */
  #nextExpiry = Number.POSITIVE_INFINITY;
  /**
   * The origin last moved to the end of #entries, while it is still there: using it again would
   * move it where it is. Calls to one origin, the usual case, then touch the Map once each.
   */
  #newest: string | undefined;

  constructor(rules: OriginTableRules<V>, cap = MAX_ORIGINS_HELD) {
    this.#rules = rules;
    this.#cap = cap;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(origin: string): boolean {
    return this.#entries.has(origin);
  }

  /** The origin's entry, as it is: reading is not using. */
  peek(origin: string): V | undefined {
    return this.#entries.get(origin);
  }

  /** The origin's entry, marked as the most recently used. */
  use(origin: string): V | undefined {
    const entry = this.#entries.get(origin);
    if (entry !== undefined && origin !== this.#newest) {
      this.#entries.delete(origin);
      this.#entries.set(origin, entry);
      this.#newest = origin;
    }
    return entry;
  }

  /**
   * Sets the origin's entry as the most recently used, then makes room if the table is over its
   * bound. Call it again after changing what `expiresAt` reads of an entry.
   */
  set(origin: string, entry: V, now = Date.now()): void {
    this.#entries.delete(origin);
    this.#entries.set(origin, entry);
    this.#newest = origin;
    this.#nextExpiry = Math.min(this.#nextExpiry, this.#rules.expiresAt(entry, origin));
    if (this.#entries.size > this.#cap) this.#makeRoom(origin, now);
  }

  delete(origin: string): void {
    this.#entries.delete(origin);
    if (origin === this.#newest) this.#newest = undefined;
  }

  /** Expired entries first, then the least recently used; never one in use, nor the one just set. */
  #makeRoom(kept: string, now: number): void {
    if (this.#nextExpiry <= now) this.#prune(kept, now);
    for (const [origin, entry] of this.#entries) {
      if (this.#entries.size <= this.#cap) return;
      if (origin !== kept && !this.#rules.inUse(entry, origin)) this.delete(origin);
    }
  }

  #prune(kept: string, now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const [origin, entry] of this.#entries) {
      const expiresAt = this.#rules.expiresAt(entry, origin);
      if (expiresAt <= now && origin !== kept && !this.#rules.inUse(entry, origin)) this.delete(origin);
      else next = Math.min(next, expiresAt);
    }
    this.#nextExpiry = next;
  }
}
