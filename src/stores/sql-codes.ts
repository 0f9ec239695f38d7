/** Authorization codes (RFC 6749 §4.1), in SQL: one row per code hash, marked when first redeemed, deleted after keep_until. */
import { holds, type SqlDriver } from './sql-driver.ts';
import { codeOf } from './sql-rows.ts';
import type { AuthorizationCodeStore } from './types.ts';

/**
 * How many rows past keep_until each insert deletes at most. More than the one it adds, so the
 * table holds the codes still kept plus what one batch left, and no single authorization pays for
 * a large delete.
 */
export const CODE_SWEEP_BATCH = 100; // rows

export function sqlAuthorizationCodes(db: SqlDriver): AuthorizationCodeStore {
  return {
    insertAuthorizationCode: async (c) => {
      // The record's createdAt is the issuer's clock, the one keep_until is counted on. The outer
      // check is evaluated again on each row the subquery picked, as in the idempotency sweep.
      await db.run(
        'DELETE FROM gatehouse_authorization_codes WHERE keep_until <= ? AND hash IN (SELECT hash FROM gatehouse_authorization_codes WHERE keep_until <= ? LIMIT ?)',
        [c.createdAt, c.createdAt, CODE_SWEEP_BATCH],
      );
      await db.run(
        'INSERT INTO gatehouse_authorization_codes (hash, client_id, redirect_uri, code_challenge, subject, roles, scope, resources, family_id, access_token_jti, created_at, expires_at, keep_until, acr, auth_time, dpop_jkt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          c.hash,
          c.clientId,
          c.redirectUri,
          c.codeChallenge,
          c.subject,
          JSON.stringify(c.roles),
          c.scope,
          JSON.stringify(c.resources),
          c.familyId,
          c.accessTokenJti,
          c.createdAt,
          c.expiresAt,
          c.keepUntil,
          c.acr ?? null,
          c.authTime ?? null,
          c.dpopJkt ?? null,
        ],
      );
    },
    // One conditional UPDATE decides, the database alone, which instance's redemption is the first
    // (RFC 6749 §4.1.2: a code is used once); RETURNING hands that call the row in the same statement.
    redeemAuthorizationCode: async (hash, now) => {
      if (!holds(db, hash)) return undefined;
      const [redeemed] = await db.all(
        'UPDATE gatehouse_authorization_codes SET redeemed_at = ? WHERE hash = ? AND keep_until > ? AND redeemed_at IS NULL RETURNING *',
        [now, hash, now],
      );
      if (redeemed) return { first: true, record: codeOf(redeemed) };
      const [row] = await db.all('SELECT * FROM gatehouse_authorization_codes WHERE hash = ? AND keep_until > ?', [
        hash,
        now,
      ]);
      return row && { first: false, record: codeOf(row) };
    },
  };
}
