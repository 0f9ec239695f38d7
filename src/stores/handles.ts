/**
 * The database handles an application hands Gatehouse (a store's own, or login protection's
 * counters), as far as Gatehouse and rate-limiter-flexible use them. They are declared here, by
 * shape, so that the package's declarations never import the types of pg or ioredis (optional
 * peers, absent from most projects) nor node:sqlite's (absent outside Node): a project that
 * imports gatehouse-http/server compiles without them. A node:sqlite `DatabaseSync`, a pg `Pool`
 * and an ioredis `Redis` each are one of these (the stores' own code and the tests hand them over
 * as they are).
 */

/** A value SQLite binds to a `?`. */
export type SqliteValue = null | number | bigint | string | Uint8Array;

/** A prepared statement, as rate-limiter-flexible's SQLite counters run it. */
export interface SqliteStatement {
  run(...params: SqliteValue[]): unknown;
  get(...params: SqliteValue[]): unknown;
  all(...params: SqliteValue[]): unknown[];
}

/** A node:sqlite `DatabaseSync`: prepared statements, and exec() for the counters' transactions. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
}

/** What a query answers: its rows, and how many rows it changed. */
export interface PostgresResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

/** A pg `Pool`: queries with `$1` placeholders, by text (the stores) or as a config (the counters). */
export interface PostgresPool {
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PostgresResult<Row>>;
  query<Row = Record<string, unknown>>(config: {
    text: string;
    values?: unknown[];
    name?: string;
  }): Promise<PostgresResult<Row>>;
}

/**
 * An ioredis client (`new Redis(url)`): the commands of the deny-list and the nonce cache,
 * `multi()` that login protection's counters (rate-limiter-flexible's RateLimiterRedis) send
 * their increments with, and `quit()` for whoever opened it.
 */
export interface RedisClient {
  get(key: string): Promise<string | null>;
  exists(key: string): Promise<number>;
  /** SET key value PXAT unix-time-ms: kept until that moment. */
  set(key: string, value: string, pxat: 'PXAT', unixTimeMs: number): Promise<unknown>;
  /** SET key value PX ms NX: 'OK' when set, null when the key was there. */
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
  multi(): unknown;
  quit(): Promise<unknown>;
}
