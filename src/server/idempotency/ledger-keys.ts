/**
 * Where an Idempotency-Key lives in the ledger. Every key a client sends is its own choice, so the
 * key the ledger stores must say whose it is in a way no choice of key can imitate: one ledger is
 * shared by every route and every instance on a store, with and without a guard in front.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../principal.ts';

/** Whose key it is: the principal the guard verified (its scheme, its id and, for a JWT, its issuer). */
export type KeyOwner = Pick<Principal, 'id' | 'scheme' | 'claims'>;

/**
 * The key as the ledger stores it: two namespaces that never meet.
 * - `u <key>`: a caller without a principal (shared by all of them, as it always was);
 * - `p <owner> <key>`: a principal's; `owner` is the base64url SHA-256 of `[scheme, issuer, id]`
 *   as JSON, always 43 characters. JSON spells each part in full, so no two owners share it
 *   whatever their ids hold; the scheme keeps a user id apart from an API key's id of the same
 *   spelling, and the issuer keeps apart the subjects of two issuers one bearer scheme trusts
 *   (RFC 7519 §4.1.2: `sub` is unique only in its issuer's context). Hashed: a principal's id is
 *   nobody's business in the ledger.
 * The first two characters tell the namespaces apart and `owner` has a fixed length, so no
 * (owner, key) pair is stored under another's key. Both contain a space, which no key may hold
 * (beginIdempotent takes only visible ASCII): no entry stored before this format (see
 * keyBeforeUpgrade) is ever taken for one stored now.
 */
export function ledgerKey(key: string, owner: KeyOwner | undefined): string {
  if (!owner) return `u ${key}`;
  const iss = owner.claims?.['iss'];
  const who = JSON.stringify([owner.scheme, typeof iss === 'string' ? iss : null, owner.id]);
  return `p ${createHash('sha256').update(who).digest('base64url')} ${key}`;
}

/** The old format's scoped keys: 22 base64url characters (the id's hash), a colon, the key. */
const OLD_SCOPED = /^[\w-]{22}:/;

/**
 * Where the format before this one kept the same key (the id's hash and a colon, or the bare key
 * for a caller without a principal), so that entries written before an upgrade are still honoured
 * for as long as they live (see beginIdempotent). Null where that place is not the caller's
 * own: a bare key of the old scoped shape may be a principal's entry, which a caller without one
 * must never reach (the very collision the new format removes).
 */
export function keyBeforeUpgrade(key: string, owner: KeyOwner | undefined): string | null {
  if (owner) return `${createHash('sha256').update(owner.id).digest('base64url').slice(0, 22)}:${key}`;
  return OLD_SCOPED.test(key) ? null : key;
}
