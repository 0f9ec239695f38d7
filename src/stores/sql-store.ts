/**
 * The store logic both SQL databases share. SQL is written once with `?` placeholders and in
 * the subset SQLite and Postgres agree on (ON CONFLICT upserts, conditional UPDATE … WHERE … IS
 * NULL for atomic rotation); each dialect file supplies a driver and its migrations.
 */

import { LEDGER_SWEEP_BATCH, LEDGER_SWEEP_EVERY } from './ledger-sweep.ts';
import { replayKeyOf } from './replay-key.ts';
import type {
  ApiKeyRecord,
  ClientRecord,
  GatehouseStore,
  RefreshRotation,
  RefreshTokenRecord,
  UserRecord,
} from './types.ts';

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

const list = (value: unknown): string[] => (typeof value === 'string' ? (JSON.parse(value) as string[]) : []);
const num = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));

function userOf(row: Record<string, unknown>): UserRecord {
  return {
    username: String(row['username']),
    id: String(row['id']),
    passwordHash: String(row['password_hash']),
    scopes: list(row['scopes']),
    roles: list(row['roles']),
  };
}

function keyOf(row: Record<string, unknown>): ApiKeyRecord & { lastUsedAt?: number } {
  const key: ApiKeyRecord & { lastUsedAt?: number } = {
    keyId: String(row['key_id']),
    id: String(row['id']),
    hash: String(row['hash']),
    scopes: list(row['scopes']),
    roles: list(row['roles']),
  };
  const expiresAt = num(row['expires_at']);
  if (expiresAt !== undefined) key.expiresAt = expiresAt;
  if (Number(row['revoked']) === 1) key.revoked = true;
  const lastUsed = num(row['last_used_at']);
  if (lastUsed !== undefined) key.lastUsedAt = lastUsed;
  return key;
}

function clientOf(row: Record<string, unknown>): ClientRecord {
  const client: ClientRecord = {
    clientId: String(row['client_id']),
    grants: list(row['grants']),
    scopes: list(row['scopes']),
  };
  if (row['secret_hash']) client.secretHash = String(row['secret_hash']);
  if (row['name']) client.name = String(row['name']);
  return client;
}

function tokenOf(row: Record<string, unknown>): RefreshTokenRecord & { familyRevoked: boolean } {
  const token: RefreshTokenRecord & { familyRevoked: boolean } = {
    hash: String(row['hash']),
    familyId: String(row['family_id']),
    subject: String(row['subject']),
    clientId: String(row['client_id']),
    scope: String(row['scope']),
    roles: list(row['roles']),
    createdAt: Number(row['created_at']),
    expiresAt: Number(row['expires_at']),
    familyRevoked: row['family_revoked'] !== null && row['family_revoked'] !== undefined,
  };
  const rotatedAt = num(row['rotated_at']);
  if (rotatedAt !== undefined) token.rotatedAt = rotatedAt;
  if (typeof row['sealed_successor'] === 'string') token.sealedSuccessor = row['sealed_successor'];
  return token;
}

export function sqlStore(kind: 'sqlite' | 'postgres', db: SqlDriver, close: () => Promise<void>): GatehouseStore {
  let sweeps = 0;
  const insertToken = async (t: RefreshTokenRecord) => {
    await db.run(
      'INSERT INTO gatehouse_refresh_tokens (hash, family_id, subject, client_id, scope, roles, created_at, expires_at, rotated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        t.hash,
        t.familyId,
        t.subject,
        t.clientId,
        t.scope,
        JSON.stringify(t.roles),
        t.createdAt,
        t.expiresAt,
        t.rotatedAt ?? null,
      ],
    );
  };
  let ledgerClaims = 0;
  // Bounded by `limit` (a LIMIT in a subquery, which both dialects take in DELETE). The outer
  // expiry check is evaluated again on a row another instance took over meanwhile, so a fresh
  // claim is never deleted.
  const sweepLedger = (now: number, limit: number) =>
    db.run(
      'DELETE FROM gatehouse_idempotency WHERE expires_at <= ? AND key IN (SELECT key FROM gatehouse_idempotency WHERE expires_at <= ? LIMIT ?)',
      [now, now, limit],
    );
  // Lookup keys come from clients (a username, a client_id, an API key id): one the database
  // cannot hold is simply not there.
  const holds = (key: string) => typeof key === 'string' && (db.canHold?.(key) ?? true);
  return {
    kind,
    users: {
      findUserByName: async (username) => {
        if (!holds(username)) return undefined;
        const [row] = await db.all('SELECT * FROM gatehouse_users WHERE username = ?', [username]);
        return row && userOf(row);
      },
      putUser: async (u) => {
        await db.run(
          'INSERT INTO gatehouse_users (username, id, password_hash, scopes, roles) VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET id = excluded.id, password_hash = excluded.password_hash, scopes = excluded.scopes, roles = excluded.roles',
          [u.username, u.id, u.passwordHash, JSON.stringify(u.scopes ?? []), JSON.stringify(u.roles ?? [])],
        );
      },
      listUsers: async () => (await db.all('SELECT * FROM gatehouse_users ORDER BY username')).map(userOf),
      findUserById: async (id) => {
        const [row] = await db.all('SELECT * FROM gatehouse_users WHERE id = ? ORDER BY username LIMIT 1', [id]);
        return row && userOf(row);
      },
      removeUser: async (username) => (await db.run('DELETE FROM gatehouse_users WHERE username = ?', [username])) > 0,
    },
    apiKeys: {
      findApiKey: async (keyId) => {
        if (!holds(keyId)) return undefined;
        const [row] = await db.all('SELECT * FROM gatehouse_api_keys WHERE key_id = ?', [keyId]);
        return row && keyOf(row);
      },
      putApiKey: async (k) => {
        await db.run(
          'INSERT INTO gatehouse_api_keys (key_id, id, hash, scopes, roles, expires_at, revoked, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET id = excluded.id, hash = excluded.hash, scopes = excluded.scopes, roles = excluded.roles, expires_at = excluded.expires_at, revoked = excluded.revoked',
          [
            k.keyId,
            k.id,
            k.hash,
            JSON.stringify(k.scopes ?? []),
            JSON.stringify(k.roles ?? []),
            k.expiresAt ?? null,
            k.revoked ? 1 : 0,
            k.lastUsedAt ?? null,
          ],
        );
      },
      listApiKeys: async () => (await db.all('SELECT * FROM gatehouse_api_keys ORDER BY id, key_id')).map(keyOf),
      revokeApiKey: async (keyId) =>
        (await db.run('UPDATE gatehouse_api_keys SET revoked = 1 WHERE key_id = ?', [keyId])) > 0,
      touchApiKey: async (keyId, at) => {
        await db.run('UPDATE gatehouse_api_keys SET last_used_at = ? WHERE key_id = ?', [at, keyId]);
      },
    },
    clients: {
      findClient: async (clientId) => {
        if (!holds(clientId)) return undefined;
        const [row] = await db.all('SELECT * FROM gatehouse_clients WHERE client_id = ?', [clientId]);
        return row && clientOf(row);
      },
      putClient: async (c) => {
        await db.run(
          'INSERT INTO gatehouse_clients (client_id, secret_hash, name, grants, scopes) VALUES (?, ?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name, grants = excluded.grants, scopes = excluded.scopes',
          [c.clientId, c.secretHash ?? null, c.name ?? null, JSON.stringify(c.grants), JSON.stringify(c.scopes)],
        );
      },
      listClients: async () => (await db.all('SELECT * FROM gatehouse_clients ORDER BY client_id')).map(clientOf),
      removeClient: async (clientId) =>
        (await db.run('DELETE FROM gatehouse_clients WHERE client_id = ?', [clientId])) > 0,
    },
    refreshTokens: {
      insertRefreshToken: (t) => insertToken(t),
      findRefreshToken: async (hash) => {
        if (!holds(hash)) return undefined;
        const [row] = await db.all(
          'SELECT t.*, f.revoked_at AS family_revoked FROM gatehouse_refresh_tokens t LEFT JOIN gatehouse_revoked_families f ON f.family_id = t.family_id WHERE t.hash = ?',
          [hash],
        );
        return row && tokenOf(row);
      },
      // The successor goes in first, so whoever learns it (this caller, or a repeat replayed from
      // the sealed copy) finds it stored; then one conditional UPDATE decides, the database alone,
      // which instance's rotation counts. A call that lost takes its successor out again.
      rotate: async (hash, successor, sealedSuccessor, now) => {
        await insertToken(successor);
        const claimed = await db.run(
          'UPDATE gatehouse_refresh_tokens SET rotated_at = ?, sealed_successor = ? WHERE hash = ? AND rotated_at IS NULL',
          [now, sealedSuccessor, hash],
        );
        if (claimed === 1) return { first: true, rotatedAt: now, sealedSuccessor };
        await db.run('DELETE FROM gatehouse_refresh_tokens WHERE hash = ?', [successor.hash]);
        const [row] = await db.all('SELECT rotated_at, sealed_successor FROM gatehouse_refresh_tokens WHERE hash = ?', [
          hash,
        ]);
        const rotation: RefreshRotation = { first: false, rotatedAt: num(row?.['rotated_at']) ?? now };
        if (typeof row?.['sealed_successor'] === 'string') rotation.sealedSuccessor = row['sealed_successor'];
        return rotation;
      },
      revokeFamily: async (familyId, now) => {
        await db.run(
          'INSERT INTO gatehouse_revoked_families (family_id, revoked_at) VALUES (?, ?) ON CONFLICT (family_id) DO NOTHING',
          [familyId, now],
        );
      },
      // Found through the subject index (schema version 3); families revoked already are not counted.
      revokeSubject: (subject, now) =>
        db.run(
          'INSERT INTO gatehouse_revoked_families (family_id, revoked_at) SELECT DISTINCT family_id, CAST(? AS BIGINT) FROM gatehouse_refresh_tokens WHERE subject = ? ON CONFLICT (family_id) DO NOTHING',
          [now, subject],
        ),
    },
    denyList: {
      deny: async (jti, expiresAt) => {
        await db.run(
          'INSERT INTO gatehouse_deny_list (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at',
          [jti, expiresAt],
        );
      },
      isDenied: async (jti) =>
        // A jti that cannot be stored was never denied.
        holds(jti) &&
        (await db.all('SELECT 1 AS hit FROM gatehouse_deny_list WHERE jti = ? AND expires_at > ?', [jti, Date.now()]))
          .length > 0,
    },
    jwtKeys: {
      listJwtKeys: async () =>
        (await db.all('SELECT * FROM gatehouse_jwt_keys ORDER BY created_at, kid')).map((row) => ({
          kid: String(row['kid']),
          alg: String(row['alg']),
          privateJwk: JSON.parse(String(row['private_jwk'])),
          ...(row['public_jwk'] ? { publicJwk: JSON.parse(String(row['public_jwk'])) } : {}),
          createdAt: Number(row['created_at']),
        })),
      addJwtKey: async (k) => {
        await db.run(
          'INSERT INTO gatehouse_jwt_keys (kid, alg, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING',
          [k.kid, k.alg, JSON.stringify(k.privateJwk), k.publicJwk ? JSON.stringify(k.publicJwk) : null, k.createdAt],
        );
      },
    },
    nonces: {
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
    },
    idempotency: {
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
    },
    close,
  };
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
 * The idempotency ledger, version 4: the whole answer as one JSON text (any body, U+0000 included)
 * and an index on expiry for the sweep.
 */
export function ledgerV4(): string[] {
  return [
    'ALTER TABLE gatehouse_idempotency ADD COLUMN response TEXT',
    'CREATE INDEX IF NOT EXISTS gatehouse_idempotency_expiry ON gatehouse_idempotency (expires_at)',
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
