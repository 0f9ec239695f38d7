/** What each SQL dialect supplies to the store logic both share (sql-store.ts). */

export interface SqlDriver {
  all(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /**
   * Whether the database can hold this text (Postgres refuses NUL). A lookup key it cannot hold
   * was never stored: the lookup finds nothing instead of failing. @default every text
   */
  canHold?(text: string): boolean;
}

/**
 * Whether a lookup key can be in the database at all. Lookup keys come from clients (a username, a
 * client_id, an API key id): one the database cannot hold is simply not there.
 */
export function holds(db: SqlDriver, key: string): boolean {
  return typeof key === 'string' && (db.canHold?.(key) ?? true);
}
