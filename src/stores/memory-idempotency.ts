import { LEDGER_SWEEP_BATCH, LEDGER_SWEEP_EVERY } from './ledger-sweep.ts';
import type { IdempotencyLedger, StoredResponse } from './types.ts';

export interface MemoryIdempotencyOptions {
  /**
   * The most entries (live or not yet swept) kept at once. When that many are live, a new key is
   * refused (503 `store_unavailable`) rather than a live one forgotten, which would let its
   * request run twice. Size it as (keyed requests per second) × keepMs in seconds. @default 10_000
   */
  maxEntries?: number;
}

type LedgerEntry = { fingerprint: string; until: number; response?: StoredResponse };

/** The idempotency ledger in this process's memory: bounded, expired entries swept as it goes. */
export function memoryIdempotency(options: MemoryIdempotencyOptions = {}): IdempotencyLedger {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, LedgerEntry>();
  let claims = 0;
  // No entry expires before this: while `now` is earlier, a sweep would find nothing.
  let earliest = Number.POSITIVE_INFINITY;
  const hold = (key: string, entry: LedgerEntry) => {
    entries.set(key, entry);
    earliest = Math.min(earliest, entry.until);
  };
  const sweep = (now: number, limit: number): number => {
    if (now < earliest) return 0;
    let removed = 0;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of entries) {
      if (entry.until > now) next = Math.min(next, entry.until);
      else if (removed === limit)
        return removed; // stopped early: `earliest` stays a lower bound
      else {
        entries.delete(key);
        removed++;
      }
    }
    earliest = next;
    return removed;
  };
  return {
    async claim(key, fingerprint, now, pendingMs) {
      if (++claims % LEDGER_SWEEP_EVERY === 0) sweep(now, LEDGER_SWEEP_BATCH);
      const entry = entries.get(key);
      if (!entry || entry.until <= now) {
        entries.delete(key);
        if (entries.size >= maxEntries) sweep(now, Number.POSITIVE_INFINITY);
        if (entries.size >= maxEntries) return { state: 'full', until: earliest };
        hold(key, { fingerprint, until: now + pendingMs });
        return { state: 'new' };
      }
      if (entry.fingerprint !== fingerprint) return { state: 'conflict' };
      return entry.response ? { state: 'done', response: structuredClone(entry.response) } : { state: 'pending' };
    },
    async complete(key, response, now, keepMs) {
      const entry = entries.get(key);
      if (entry) hold(key, { ...entry, response: structuredClone(response), until: now + keepMs });
    },
    async release(key) {
      if (!entries.get(key)?.response) entries.delete(key);
    },
    sweep: async (now, limit) => sweep(now, limit),
  };
}
