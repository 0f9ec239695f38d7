/**
 * The SQL tables and their migrations, one function per schema version, in the column types both
 * databases read the same way; `migrations()` lists them in order for a dialect, whose store runs
 * each version once.
 */

/** Every version's statements, oldest first: the list index + 1 is the version number recorded. */
export function migrations(dialect: 'sqlite' | 'postgres'): string[][] {
  const bigint = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    schemaV1(bigint),
    schemaV2(bigint),
    schemaV3(dialect),
    schemaV4(),
    schemaV5(dialect),
    schemaV6(dialect),
    schemaV7(dialect),
    schemaV8(dialect),
  ];
}

/**
 * Version 3: the successor kept sealed for a repeat inside the grace window, and the indexes that
 * find a user's refresh families (to revoke every session) and a user by id (at each rotation).
 * Postgres adds the column IF NOT EXISTS; SQLite has no such clause, and the version table runs
 * each version once, inside the transaction that records it.
 */
export function schemaV3(kind: 'sqlite' | 'postgres'): string[] {
  return [
    `ALTER TABLE gatehouse_refresh_tokens ADD COLUMN ${kind === 'postgres' ? 'IF NOT EXISTS ' : ''}sealed_successor TEXT`,
    'CREATE INDEX IF NOT EXISTS gatehouse_refresh_tokens_subject ON gatehouse_refresh_tokens (subject)',
    'CREATE INDEX IF NOT EXISTS gatehouse_users_id ON gatehouse_users (id)',
  ];
}

/** Version 2: the idempotency ledger. */
export function schemaV2(bigint: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS gatehouse_idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, status INTEGER, headers TEXT, body TEXT, expires_at ${bigint} NOT NULL)`,
  ];
}

/**
 * Version 4, the idempotency ledger: the whole answer as one JSON text (any body, U+0000 included)
 * and an index on expiry for the sweep.
 */
export function schemaV4(): string[] {
  return [
    'ALTER TABLE gatehouse_idempotency ADD COLUMN response TEXT',
    'CREATE INDEX IF NOT EXISTS gatehouse_idempotency_expiry ON gatehouse_idempotency (expires_at)',
  ];
}

/**
 * Version 5, the authorization-code grant (RFC 6749 §4.1): the codes, by hash, kept until
 * keep_until (indexed for the sweep) and marked when first redeemed; a client's redirect URIs, as a
 * JSON list (NULL for a client registered before, which has none).
 */
export function schemaV5(kind: 'sqlite' | 'postgres'): string[] {
  const bigint = kind === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    `CREATE TABLE IF NOT EXISTS gatehouse_authorization_codes (hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, code_challenge TEXT NOT NULL, subject TEXT NOT NULL, roles TEXT NOT NULL, scope TEXT NOT NULL, resources TEXT NOT NULL, family_id TEXT NOT NULL, access_token_jti TEXT NOT NULL, created_at ${bigint} NOT NULL, expires_at ${bigint} NOT NULL, keep_until ${bigint} NOT NULL, redeemed_at ${bigint})`,
    'CREATE INDEX IF NOT EXISTS gatehouse_authorization_codes_keep ON gatehouse_authorization_codes (keep_until)',
    `ALTER TABLE gatehouse_clients ADD COLUMN ${kind === 'postgres' ? 'IF NOT EXISTS ' : ''}redirect_uris TEXT`,
  ];
}

/**
 * Version 6: the resource indicators (RFC 8707) a refresh token's grant was for, as a JSON list;
 * NULL for a token stored before, whose grant was read as the service's default audience.
 */
export function schemaV6(kind: 'sqlite' | 'postgres'): string[] {
  return [
    `ALTER TABLE gatehouse_refresh_tokens ADD COLUMN ${kind === 'postgres' ? 'IF NOT EXISTS ' : ''}resources TEXT`,
  ];
}

/**
 * Version 7: how and when the user signed in (RFC 9470 §3 `acr`, `auth_time` in seconds), kept with
 * an authorization code and its refresh tokens; NULL for a grant stored before, which claims neither.
 */
export function schemaV7(kind: 'sqlite' | 'postgres'): string[] {
  const bigint = kind === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const ifNew = kind === 'postgres' ? 'IF NOT EXISTS ' : '';
  return ['gatehouse_refresh_tokens', 'gatehouse_authorization_codes'].flatMap((table) => [
    `ALTER TABLE ${table} ADD COLUMN ${ifNew}acr TEXT`,
    `ALTER TABLE ${table} ADD COLUMN ${ifNew}auth_time ${bigint}`,
  ]);
}

/**
 * Version 8: the DPoP key an authorization code is bound to (RFC 9449 §10 `dpop_jkt`, its JWK
 * thumbprint); NULL for a code not bound to one, and for every code stored before.
 */
export function schemaV8(kind: 'sqlite' | 'postgres'): string[] {
  return [
    `ALTER TABLE gatehouse_authorization_codes ADD COLUMN ${kind === 'postgres' ? 'IF NOT EXISTS ' : ''}dpop_jkt TEXT`,
  ];
}

/** The tables, in the column types both databases read the same way (times are ms since the epoch). */
export function schemaV1(bigint: string): string[] {
  return [
    'CREATE TABLE IF NOT EXISTS gatehouse_users (username TEXT PRIMARY KEY, id TEXT NOT NULL, password_hash TEXT NOT NULL, scopes TEXT NOT NULL, roles TEXT NOT NULL)',
    `CREATE TABLE IF NOT EXISTS gatehouse_api_keys (key_id TEXT PRIMARY KEY, id TEXT NOT NULL, hash TEXT NOT NULL, scopes TEXT NOT NULL, roles TEXT NOT NULL, expires_at ${bigint}, revoked INTEGER NOT NULL DEFAULT 0, last_used_at ${bigint})`,
    'CREATE TABLE IF NOT EXISTS gatehouse_clients (client_id TEXT PRIMARY KEY, secret_hash TEXT, name TEXT, grants TEXT NOT NULL, scopes TEXT NOT NULL)',
    `CREATE TABLE IF NOT EXISTS gatehouse_refresh_tokens (hash TEXT PRIMARY KEY, family_id TEXT NOT NULL, subject TEXT NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL, roles TEXT NOT NULL, created_at ${bigint} NOT NULL, expires_at ${bigint} NOT NULL, rotated_at ${bigint})`,
    'CREATE INDEX IF NOT EXISTS gatehouse_refresh_tokens_family ON gatehouse_refresh_tokens (family_id)',
    `CREATE TABLE IF NOT EXISTS gatehouse_revoked_families (family_id TEXT PRIMARY KEY, revoked_at ${bigint} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS gatehouse_deny_list (jti TEXT PRIMARY KEY, expires_at ${bigint} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS gatehouse_jwt_keys (kid TEXT PRIMARY KEY, alg TEXT NOT NULL, private_jwk TEXT NOT NULL, public_jwk TEXT, created_at ${bigint} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS gatehouse_nonces (nonce TEXT PRIMARY KEY, expires_at ${bigint} NOT NULL)`,
  ];
}
