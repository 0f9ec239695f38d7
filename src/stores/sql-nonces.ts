/** The replay cache of signed requests, in SQL: one row per nonce until its window ends. */
import type { NonceStore } from './lookups.ts';
import { replayKeyOf } from './replay-key.ts';
import type { SqlDriver } from './sql-driver.ts';

export function sqlNonces(db: SqlDriver): NonceStore {
  let sweeps = 0;
  return {
    async remember(keyId, nonce, ttlMs) {
      // The digest, not the text: a fixed-size key of base64url characters any database holds.
      const key = replayKeyOf(keyId, nonce);
      const now = Date.now();
      if (++sweeps % 1000 === 0) await db.run('DELETE FROM gatehouse_nonces WHERE expires_at <= ?', [now]);
      // Inserts a new nonce, or takes over an expired one; a live one changes nothing.
      const changed = await db.run(
        'INSERT INTO gatehouse_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE gatehouse_nonces.expires_at <= ?',
        [key, now + ttlMs, now],
      );
      return changed === 1;
    },
  };
}
