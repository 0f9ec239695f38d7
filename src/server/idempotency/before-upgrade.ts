/**
 * Entries the previous key format wrote (keyBeforeUpgrade in ledger-keys.ts), honoured while
 * they can still live.
 *
 * Why look at all: a SQL ledger outlives an upgrade, and the retries an Idempotency-Key exists
 * for come exactly then. A client whose answer was lost as the old process stopped retries on the
 * new one; in a rolling upgrade a repeat reaches a new instance while an old one still runs the
 * first. If old keys simply stopped matching, both would run twice. A 'pending' entry alone would
 * matter little: a run that died holding its key frees it after pendingMs (30 s) in either format,
 * so a retry would run again 30 s later anyway; but a 'done' entry is an effect that took place,
 * and a run still going on an old instance is one too. So an old entry is honoured while it lives:
 * its answer replayed, 409 while its run holds it.
 *
 * The old place is only looked at, never kept: a claim made there to look is given back at once,
 * so nothing stays there. An old entry of another request (422 before) is not honoured: it may have
 * been planted by a caller who reached this principal's key through the old format, and the key
 * is free in the new one. What stays of the old flaw is bounded by the entries written before the
 * upgrade: one planted there with the same request is replayed to its target until it expires; a
 * caller without a principal never reaches a principal's old entry (keyBeforeUpgrade).
 */
import type { IdempotencyLedger } from '../../stores/types.ts';
import { answerTo } from './claim-answers.ts';
import { type KeyOwner, keyBeforeUpgrade } from './ledger-keys.ts';
import type { IdempotencyStart } from './start.ts';

/** When this process started: every entry of the previous key format was written before. */
const STARTED = Date.now();

/**
 * Where to look for the old format's entry of this key, or null when there is no need: this
 * process never writes the old format, so an old entry was written before it started (or by an
 * old instance during a rolling upgrade) and is gone keepMs later. The look costs a claim and a
 * release, paid only while an old entry can still be there.
 */
export function oldKeyWhileLive(
  key: string,
  owner: KeyOwner | undefined,
  now: number,
  keepMs: number,
  pendingMs: number,
): string | null {
  return now < STARTED + Math.max(keepMs, pendingMs) ? keyBeforeUpgrade(key, owner) : null;
}

/** The same request as the previous key format kept it, if it did. */
export async function claimedBeforeUpgrade(
  ledger: IdempotencyLedger,
  old: string | null,
  fingerprint: string,
  now: number,
  pendingMs: number,
): Promise<IdempotencyStart | undefined> {
  if (old === null) return undefined;
  const claim = await ledger.claim(old, fingerprint, now, pendingMs);
  switch (claim.state) {
    case 'new':
      await ledger.release(old);
      return undefined;
    case 'done':
    case 'pending':
      return answerTo(claim, now);
    case 'conflict':
    case 'full':
      return undefined;
    default:
      return claim satisfies never;
  }
}
