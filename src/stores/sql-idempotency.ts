/** The idempotency ledger, in SQL: one row per key, claimed, completed with the answer, or released. */
import { LEDGER_SWEEP_BATCH, LEDGER_SWEEP_EVERY } from './ledger-sweep.ts';
import type { SqlDriver } from './sql-driver.ts';
import type { IdempotencyLedger } from './types.ts';

export function sqlIdempotency(db: SqlDriver): IdempotencyLedger {
  let ledgerClaims = 0;
  // Bounded by `limit` (a LIMIT in a subquery, which both dialects take in DELETE). The outer
  // expiry check is evaluated again on a row another instance took over meanwhile, so a fresh
  // claim is never deleted.
  const sweepLedger = (now: number, limit: number) =>
    db.run(
      'DELETE FROM gatehouse_idempotency WHERE expires_at <= ? AND key IN (SELECT key FROM gatehouse_idempotency WHERE expires_at <= ? LIMIT ?)',
      [now, now, limit],
    );
  return {
    async claim(key, fingerprint, now, pendingMs) {
      if (++ledgerClaims % LEDGER_SWEEP_EVERY === 0) await sweepLedger(now, LEDGER_SWEEP_BATCH);
      // A new key, or one whose entry expired (a run that died, an answer kept long enough).
      const taken = await db.run(
        "INSERT INTO gatehouse_idempotency (key, fingerprint, state, expires_at) VALUES (?, ?, 'pending', ?) ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'pending', status = NULL, headers = NULL, body = NULL, response = NULL, expires_at = excluded.expires_at WHERE gatehouse_idempotency.expires_at <= ?",
        [key, fingerprint, now + pendingMs, now],
      );
      if (taken === 1) return { state: 'new' };
      const [row] = await db.all('SELECT * FROM gatehouse_idempotency WHERE key = ?', [key]);
      if (!row) return { state: 'pending' };
      if (row['fingerprint'] !== fingerprint) return { state: 'conflict' };
      if (row['state'] !== 'done') return { state: 'pending' };
      if (row['response'] !== null && row['response'] !== undefined)
        return { state: 'done', response: JSON.parse(String(row['response'])) };
      // Kept before the ledger's version 4 (in separate columns, as text).
      return {
        state: 'done',
        response: {
          status: Number(row['status']),
          headers: JSON.parse(String(row['headers'])),
          body: String(row['body']),
        },
      };
    },
    async complete(key, response, now, keepMs) {
      // As JSON, which spells U+0000 and lone surrogates in ASCII: a text column takes any answer
      // (Postgres text refuses 0x00; SQLite would replace a lone surrogate).
      await db.run("UPDATE gatehouse_idempotency SET state = 'done', response = ?, expires_at = ? WHERE key = ?", [
        JSON.stringify({ status: response.status, headers: response.headers, body: response.body }),
        now + keepMs,
        key,
      ]);
    },
    async release(key) {
      await db.run("DELETE FROM gatehouse_idempotency WHERE key = ? AND state = 'pending'", [key]);
    },
    sweep: sweepLedger,
  };
}
