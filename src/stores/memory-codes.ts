/** Authorization codes (RFC 6749 §4.1), in this process's memory: bounded, forgotten once past keepUntil. */
import { invalidArgument } from '../http/argument-error.ts';
import { AuthorizationCodeStoreFullError } from './code-store-full.ts';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from './types.ts';

export interface MemoryAuthorizationCodesOptions {
  /**
   * The most codes kept at once. When that many are still inside their keepUntil, a new code is
   * refused (AuthorizationCodeStoreFullError) rather than one forgotten, which would let its replay
   * go unrecognised. Size it as (authorizations per second) × (keepUntil − createdAt) in seconds.
   * @default 10_000
   */
  maxEntries?: number;
}

type HeldCode = { record: AuthorizationCodeRecord; redeemedAt?: number };

export function memoryAuthorizationCodes(options: MemoryAuthorizationCodesOptions = {}): AuthorizationCodeStore {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw invalidArgument('memoryAuthorizationCodes: maxEntries must be a positive integer');
  const codes = new Map<string, HeldCode>();
  // No record is past its keepUntil before this: while `now` is earlier, a sweep would find nothing.
  let earliest = Number.POSITIVE_INFINITY;
  const sweep = (now: number): void => {
    if (now < earliest) return;
    earliest = Number.POSITIVE_INFINITY;
    for (const [hash, { record }] of codes) {
      if (record.keepUntil <= now) codes.delete(hash);
      else earliest = Math.min(earliest, record.keepUntil);
    }
  };
  return {
    // The record's createdAt is the issuer's clock, the one its keepUntil is counted on.
    insertAuthorizationCode: async (record) => {
      sweep(record.createdAt);
      if (codes.size >= maxEntries && !codes.has(record.hash))
        throw new AuthorizationCodeStoreFullError(maxEntries, earliest - record.createdAt);
      codes.set(record.hash, { record: structuredClone(record) });
      earliest = Math.min(earliest, record.keepUntil);
    },
    // Synchronous from the read to the write: atomic in one process.
    redeemAuthorizationCode: async (hash, now) => {
      const held = codes.get(hash);
      if (!held) return undefined;
      if (held.record.keepUntil <= now) {
        codes.delete(hash);
        return undefined;
      }
      const first = held.redeemedAt === undefined;
      if (first) held.redeemedAt = now;
      return { first, record: structuredClone(held.record) };
    },
  };
}
