/**
 * The embedded default: SQLite through node:sqlite, in a file or `:memory:`. WAL mode and a busy
 * timeout let several processes on one machine share the file.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import type { SqliteDatabase } from './handles.ts';
import { migrations } from './sql-schema.ts';
import { sqlStore } from './sql-store.ts';
import { StoreNotFoundError } from './store-not-found-error.ts';
import type { GatehouseStore } from './types.ts';

export { StoreNotFoundError } from './store-not-found-error.ts';

const MIGRATIONS: ReadonlyArray<readonly string[]> = migrations('sqlite');

export interface SqliteStore extends GatehouseStore {
  /** The node:sqlite `DatabaseSync`, for login protection's counters (`{ sqlite: store.database }`). */
  readonly database: SqliteDatabase;
}

export interface SqliteStoreOptions {
  /**
   * Create the file (and its folders) when it does not exist. With false, a missing file is a
   * StoreNotFoundError and nothing is created: for code that only reads or changes what is there.
   * @default true
   */
  create?: boolean;
}

export function sqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = open(path, options.create ?? true);
  db.exec('PRAGMA busy_timeout = 5000');
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  migrate(db);
  const driver = {
    all: async (sql: string, params: unknown[] = []) =>
      db.prepare(sql).all(...(params as SQLInputValue[])) as Record<string, unknown>[],
    run: async (sql: string, params: unknown[] = []) =>
      Number(db.prepare(sql).run(...(params as SQLInputValue[])).changes),
  };
  const store = sqlStore('sqlite', driver, async () => db.close());
  return Object.assign(store, { database: db });
}

function open(path: string, create: boolean): DatabaseSync {
  if (path === ':memory:') return new DatabaseSync(path);
  if (create) {
    mkdirSync(dirname(path), { recursive: true });
    return new DatabaseSync(path);
  }
  if (!existsSync(path)) throw new StoreNotFoundError(`sqlite:${path}`, 'the file does not exist');
  // SQLite's mode=rw opens read-write and never creates, should the file go between the check and here.
  const url = pathToFileURL(resolve(path));
  url.searchParams.set('mode', 'rw');
  return new DatabaseSync(url);
}

/** Applies each migration once, in order, inside a transaction; running it again changes nothing. */
function migrate(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  MIGRATIONS.forEach((statements, index) => {
    const version = index + 1;
    db.exec('BEGIN IMMEDIATE');
    try {
      if (!db.prepare('SELECT 1 FROM gatehouse_migrations WHERE version = ?').get(version)) {
        for (const statement of statements) db.exec(statement);
        db.prepare('INSERT INTO gatehouse_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  });
}
