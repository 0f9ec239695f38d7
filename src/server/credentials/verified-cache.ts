/**
 * A short-lived memory of credentials that verified, so Basic auth does not cost one argon2id
 * hash per request (and a JWT not one signature check). Only what verified is kept, in this
 * process's memory only (never written anywhere, never logged), for at most `ttlMs` and at most
 * `maxEntries` entries, the oldest going first.
 *
 * Keys, by default: a SHA-256 of a per-process random key and the length-prefixed parts (the user
 * name and the password), so the cache never holds a password. Basic keeps the stored hash in the
 * entry, so a changed password (a new stored hash) misses at once.
 *
 * Keys with `exactKeys` (the bearer scheme's JWT cache): the bearer token itself, in clear. That
 * is acceptable because such a token is not a long-lived secret like a password: it is signed, it
 * expires on its own, and an entry never outlives its `exp` and the clock tolerance the scheme
 * forgives anyway (a token without `exp` is never kept), so a token read out of this cache opens
 * nothing it would not open anyway until then. The one who could read it here is whoever can read this process's memory, who can read
 * the Authorization field of every request as it arrives just as well. Hashing it would add a
 * digest of the whole token (often a kilobyte) to every request the cache exists to make cheap.
 */
import { hash, randomBytes } from 'node:crypto';

export interface VerifiedCacheOptions {
  /** How long a verified credential is remembered, in ms. @default 60_000 */
  ttlMs?: number;
  /** The most entries kept; the oldest go first. @default 10_000 */
  maxEntries?: number;
}

/**
 * How many characters of an id name its slot in the map. V8 hashes every character of a string
 * key on a lookup, and each request's credential is a new string: the slot is hashed, not a whole
 * token (often a kilobyte). Ids end in random characters (a digest; a JWS's signature), so two
 * ids share a slot by a chance below 2^-90, and even then a hit needs the whole id equal: a
 * shared slot costs a miss, never a wrong answer.
 */
const SLOT_CHARS = 16;

export class VerifiedCache<V> {
  readonly #key = randomBytes(32).toString('base64');
  readonly #entries = new Map<string, { id: string; value: V; until: number }>();
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
    return this.#found(this.#id(parts), now);
  }

  /** The value remembered for a key of one part: `get([key])`, with no list made per lookup (the bearer scheme's cache asks on every request). */
  getExact(key: string, now = Date.now()): V | undefined {
    return this.#exact ? this.#found(key, now) : this.get([key], now);
  }

  #found(id: string, now: number): V | undefined {
    const slot = id.slice(-SLOT_CHARS);
    const entry = this.#entries.get(slot);
    if (!entry || entry.id !== id) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(slot);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers a value; `until` (ms) shortens its life, e.g. to a token's expiry. */
  set(parts: readonly string[], value: V, now = Date.now(), until = Number.POSITIVE_INFINITY): void {
    const id = this.#id(parts);
    const slot = id.slice(-SLOT_CHARS);
    this.#entries.delete(slot);
    this.#entries.set(slot, { id, value, until: Math.min(until, now + this.#ttlMs) });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Forgets a value, e.g. once its credential is known to be revoked. */
  delete(parts: readonly string[]): void {
    const id = this.#id(parts);
    const slot = id.slice(-SLOT_CHARS);
    if (this.#entries.get(slot)?.id === id) this.#entries.delete(slot);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
