import { invalidArgument } from '../http/argument-error.ts';
import type { NonceStore } from './lookups.ts';
import { NonceStoreFullError } from './nonce-store-full.ts';
import { replayKeyOf } from './replay-key.ts';

export interface MemoryNoncesOptions {
  /**
   * How many nonces it holds at most. Size it for (signed requests per second) × 2 × window: when
   * it is full of nonces still inside their window, new ones are refused (503), never made room for
   * by forgetting a live one. @default 100_000
   */
  maxEntries?: number;
  /**
   * How many of them one signing key may hold, so that one key holder filling its share is refused
   * (503) while the other keys go on. With a single key, set it to maxEntries. @default a quarter
   * of maxEntries
   */
  maxEntriesPerKey?: number;
  /** Told once each time the whole cache fills up (a full share is that key's refusal). @default one line on stderr */
  onFull?: (error: NonceStoreFullError) => void;
}

/** One signing key's nonces: their digests in insertion order (expiry order for one window). */
interface KeyShare {
  until: Map<string, number>;
  /** While the share is full: the earliest expiry in it, before which no room can free up. */
  fullUntil: number;
}

/**
 * A replay cache in this process's memory, bounded in entries and so in bytes: each entry is a
 * fixed-size digest of (key id, nonce), and each key has its own share of the room. A nonce is kept
 * until its window ends, whatever comes after it: when the cache or the key's share is full of live
 * nonces, `remember` throws NonceStoreFullError (the signature scheme answers 503) rather than
 * forget one, since a forgotten nonce is a request that can be replayed. Expired nonces are swept
 * as it goes.
 */
export function memoryNonces(options: number | MemoryNoncesOptions = {}): NonceStore {
  const {
    maxEntries = 100_000,
    onFull = reportFull,
    ...rest
  } = typeof options === 'number' ? { maxEntries: options } : options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw invalidArgument('memoryNonces: maxEntries must be a positive integer');
  const maxEntriesPerKey = rest.maxEntriesPerKey ?? Math.max(1, Math.floor(maxEntries / 4));
  if (!Number.isSafeInteger(maxEntriesPerKey) || maxEntriesPerKey < 1 || maxEntriesPerKey > maxEntries)
    throw invalidArgument('memoryNonces: maxEntriesPerKey must be a positive integer, at most maxEntries');
  // By the digest of the key id alone, so a bucket's name too has a fixed size.
  const shares = new Map<string, KeyShare>();
  let size = 0;
  // While full: the earliest expiry among the nonces held, before which no room can free up.
  let fullUntil = 0;
  // Whether onFull was told: once per episode, which ends when a tenth of the room is free again.
  let told = false;
  const sweep = (share: KeyShare, now: number, all: boolean): number => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [digest, expiry] of share.until) {
      if (expiry <= now) {
        share.until.delete(digest);
        size--;
      } else if (!all) return expiry;
      else earliest = Math.min(earliest, expiry);
    }
    return earliest;
  };
  return {
    async remember(keyId, nonce, ttlMs) {
      const now = Date.now();
      const bucket = replayKeyOf(keyId, '');
      const digest = replayKeyOf(keyId, nonce);
      let share = shares.get(bucket);
      if (!share) {
        share = { until: new Map(), fullUntil: 0 };
        shares.set(bucket, share);
      }
      const seen = share.until.get(digest);
      if (seen !== undefined && seen > now) return false;
      if (seen !== undefined) {
        share.until.delete(digest);
        size--;
      }
      // Expired nonces are at the front of the key's share; nonces of other windows may be out of
      // order, so a full share or cache is swept whole, at most once per earliest expiry.
      sweep(share, now, false);
      if (size >= maxEntries) {
        if (now >= fullUntil) {
          fullUntil = Number.POSITIVE_INFINITY;
          for (const [name, other] of shares) {
            fullUntil = Math.min(fullUntil, sweep(other, now, true));
            if (other.until.size === 0 && other !== share) shares.delete(name);
          }
        }
        if (size >= maxEntries) {
          const error = new NonceStoreFullError(maxEntries, fullUntil - now);
          if (!told) onFull(error);
          told = true;
          throw error;
        }
      }
      if (share.until.size >= maxEntriesPerKey) {
        if (now >= share.fullUntil) share.fullUntil = sweep(share, now, true);
        if (share.until.size >= maxEntriesPerKey)
          throw new NonceStoreFullError(maxEntriesPerKey, share.fullUntil - now, true);
      }
      if (size < maxEntries * 0.9) told = false;
      share.until.set(digest, now + ttlMs);
      size++;
      return true;
    },
  };
}

function reportFull(error: NonceStoreFullError): void {
  console.error(`gatehouse: ${error.message}`);
}
