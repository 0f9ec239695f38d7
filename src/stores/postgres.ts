/**
 * Postgres, for APIs that run on more than one machine: every instance shares the same users,
 * keys and refresh-token families. `schema` keeps one deployment (or test run) apart from another.
 */
import pg from 'pg';
import { invalidArgument } from '../http/argument-error.ts';
import type { PostgresPool } from './handles.ts';
import { shownUrl } from './shown-url.ts';
import { migrations } from './sql-schema.ts';
import { sqlStore } from './sql-store.ts';
import { StoreNotFoundError } from './store-not-found-error.ts';
import { StoreUnreachableError } from './store-unreachable-error.ts';
import type { GatehouseStore } from './types.ts';

export { StoreNotFoundError } from './store-not-found-error.ts';
export { StoreUnreachableError } from './store-unreachable-error.ts';

const MIGRATIONS: ReadonlyArray<readonly string[]> = migrations('postgres');

export interface PostgresStore extends GatehouseStore {
  /** The pg `Pool`, for login protection's counters (`{ postgres: store.pool }`). */
  readonly pool: PostgresPool;
  readonly schema: string;
}

export interface PostgresStoreOptions {
  connectionString: string;
  /** @default 'public' */
  schema?: string;
  /** @default 10 */
  maxConnections?: number;
  /**
   * How long getting a connection may take, the first one included (a Postgres that does not
   * answer is then a StoreUnreachableError at once, and a query waiting for a free connection
   * fails rather than waits on). @default 5000 ms
   */
  connectTimeoutMs?: number;
  /**
   * Create the schema and its tables when they are not there. With false, a schema without
   * Gatehouse's tables is a StoreNotFoundError and nothing is created. @default true
   */
  create?: boolean;
}

// `?` placeholders become $1, $2… outside quoted strings.
function numbered(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

export async function postgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw invalidArgument('postgresStore: schema must be a lower-case SQL identifier');
  // Every connection starts in the schema (a startup parameter, so no query can run before it).
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  });
  pool.on('error', () => {}); // an idle client's error surfaces on the next query instead
  try {
    // Connected once before anything else: a Postgres that is not there is told as such, by its URL.
    await pool
      .connect()
      .then((client) => client.release())
      .catch((error: unknown) => {
        throw new StoreUnreachableError('the store', shownUrl(options.connectionString), error);
      });
    if (options.create === false && !(await holdsStore(pool, schema)))
      throw new StoreNotFoundError(shownUrl(options.connectionString), `schema ${schema} holds no Gatehouse tables`);
    await migrate(pool, schema);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const driver = {
    all: async (sql: string, params: unknown[] = []) =>
      (await pool.query(numbered(sql), params)).rows as Record<string, unknown>[],
    run: async (sql: string, params: unknown[] = []) => (await pool.query(numbered(sql), params)).rowCount ?? 0,
    // Postgres text cannot hold NUL (0x00); the query would fail rather than find nothing.
    canHold: (text: string) => !text.includes('\u0000'),
  };
  const store = sqlStore('postgres', driver, () => pool.end());
  return Object.assign(store, { pool, schema });
}

/** Whether the schema holds Gatehouse's tables (its migrations table stands for them all). */
async function holdsStore(pool: pg.Pool, schema: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [
    `"${schema}".gatehouse_migrations`,
  ]);
  return rows[0]?.present === true;
}

async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    // One migrator at a time across instances: a transaction-scoped advisory lock, taken before
    // anything is created (even CREATE SCHEMA IF NOT EXISTS races without it).
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gatehouse_migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
    for (const [index, statements] of MIGRATIONS.entries()) {
      const version = index + 1;
      const { rowCount } = await client.query('SELECT 1 FROM gatehouse_migrations WHERE version = $1', [version]);
      if (rowCount) continue;
      for (const statement of statements) await client.query(statement);
      await client.query('INSERT INTO gatehouse_migrations (version, applied_at) VALUES ($1, $2)', [
        version,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
