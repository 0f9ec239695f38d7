/**
 * The store logic both SQL databases share. SQL is written once with `?` placeholders and in
 * the subset SQLite and Postgres agree on (ON CONFLICT upserts, conditional UPDATE … WHERE … IS
 * NULL for atomic rotation); each dialect file supplies a driver (sql-driver.ts) and runs the
 * migrations (sql-schema.ts). One file per concern: sql-accounts.ts, sql-tokens.ts, sql-codes.ts,
 * sql-nonces.ts, sql-idempotency.ts.
 */
import { sqlApiKeys, sqlClients, sqlUsers } from './sql-accounts.ts';
import { sqlAuthorizationCodes } from './sql-codes.ts';
import type { SqlDriver } from './sql-driver.ts';
import { sqlIdempotency } from './sql-idempotency.ts';
import { sqlNonces } from './sql-nonces.ts';
import { sqlDenyList, sqlJwtKeys, sqlRefreshTokens } from './sql-tokens.ts';
import type { GatehouseStore } from './types.ts';

export function sqlStore(kind: 'sqlite' | 'postgres', db: SqlDriver, close: () => Promise<void>): GatehouseStore {
  return {
    kind,
    users: sqlUsers(db),
    apiKeys: sqlApiKeys(db),
    clients: sqlClients(db),
    refreshTokens: sqlRefreshTokens(db),
    authorizationCodes: sqlAuthorizationCodes(db),
    denyList: sqlDenyList(db),
    jwtKeys: sqlJwtKeys(db),
    nonces: sqlNonces(db),
    idempotency: sqlIdempotency(db),
    close,
  };
}
