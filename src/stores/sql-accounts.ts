/** Whom a credential names, in SQL: users, API keys and OAuth clients. */
import { holds, type SqlDriver } from './sql-driver.ts';
import { clientOf, keyOf, userOf } from './sql-rows.ts';
import type { ApiKeyStore, ClientStore, UserStore } from './types.ts';

export function sqlUsers(db: SqlDriver): UserStore {
  return {
    findUserByName: async (username) => {
      if (!holds(db, username)) return undefined;
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
  };
}

export function sqlApiKeys(db: SqlDriver): ApiKeyStore {
  return {
    findApiKey: async (keyId) => {
      if (!holds(db, keyId)) return undefined;
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
  };
}

export function sqlClients(db: SqlDriver): ClientStore {
  return {
    findClient: async (clientId) => {
      if (!holds(db, clientId)) return undefined;
      const [row] = await db.all('SELECT * FROM gatehouse_clients WHERE client_id = ?', [clientId]);
      return row && clientOf(row);
    },
    putClient: async (c) => {
      await db.run(
        'INSERT INTO gatehouse_clients (client_id, secret_hash, name, grants, scopes, redirect_uris) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name, grants = excluded.grants, scopes = excluded.scopes, redirect_uris = excluded.redirect_uris',
        [
          c.clientId,
          c.secretHash ?? null,
          c.name ?? null,
          JSON.stringify(c.grants),
          JSON.stringify(c.scopes),
          c.redirectUris ? JSON.stringify(c.redirectUris) : null,
        ],
      );
    },
    listClients: async () => (await db.all('SELECT * FROM gatehouse_clients ORDER BY client_id')).map(clientOf),
    removeClient: async (clientId) =>
      (await db.run('DELETE FROM gatehouse_clients WHERE client_id = ?', [clientId])) > 0,
  };
}
