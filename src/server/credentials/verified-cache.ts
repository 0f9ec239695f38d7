/**
 * A short-lived memory of credentials that verified, so Basic auth does not cost one argon2id
 * hash per request (and a JWT not one signature check). Entries are keyed by a SHA-256 of a
 * per-process random key and the length-prefixed parts (the user name and the password): the cache
 * never holds a password. Basic keeps the stored hash in the entry, so a changed password (a new
 * stored hash) misses at once.
 * A cache made with `exactKeys` keys on the single part itself instead (for signed tokens that expire
 * on their own, where the hash cost more than the rest of the guard).
 */
import { hash, randomBytes } from 'node:crypto';

export interface VerifiedCacheOptions {
  /** How long a verified credential is remembered, in ms. @default 60_000 */
  ttlMs?: number;
  /** The most entries kept; the oldest go first. @default 10_000 */
  maxEntries?: number;
}

export class VerifiedCache<V> {
  readonly #key = randomBytes(32).toString('base64');
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #ttlMs: number;
  readonly #max: number;

  readonly #exact: boolean;

  constructor(options: VerifiedCacheOptions = {}, internal: { exactKeys?: boolean } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#max = options.maxEntries ?? 10_000;
    this.#exact = internal.exactKeys === true;
  }

  #id(parts: readonly string[]): string {
    if (this.#exact && parts.length === 1) return parts[0]!;
    // Length-prefixed, so no two lists of parts give the same input; one-shot hashing is cheap.
    let input = this.#key;
    for (const part of parts) input += `${part.length}:${part}`;
    return hash('sha256', input, 'base64');
  }

  get(parts: readonly string[], now = Date.now()): V | undefined {
    const id = this.#id(parts);
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers a value; `until` (ms) shortens its life, e.g. to a token's expiry. */
  set(parts: readonly string[], value: V, now = Date.now(), until = Number.POSITIVE_INFINITY): void {
    const id = this.#id(parts);
    this.#entries.delete(id);
    this.#entries.set(id, { value, until: Math.min(until, now + this.#ttlMs) });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
