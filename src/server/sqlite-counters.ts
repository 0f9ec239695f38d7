/**
 * The SQLite counters of login protection: rate-limiter-flexible speaks better-sqlite3, and the
 * handle it is given is node:sqlite's. The adapter lives with its only user, so the server takes
 * the app's open handle through its options and never imports the SQLite store itself.
 */
import type { SqliteDatabase } from '../stores/handles.ts';

/** node:sqlite dressed as better-sqlite3, the client rate-limiter-flexible knows. */
export function betterSqliteShape(db: SqliteDatabase): {
  prepare: SqliteDatabase['prepare'];
  transaction: <T>(fn: () => T) => () => T;
} {
  return {
    prepare: (sql: string) => db.prepare(sql),
    transaction:
      <T>(fn: () => T) =>
      () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = fn();
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      },
  };
}
