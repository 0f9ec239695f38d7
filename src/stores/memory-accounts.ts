/** Whom a credential names, in this process's memory: users, API keys, OAuth clients, signing keys, sessions. */
import type { Identity, SessionLookup, SigningKeyLookup, SigningKeyRecord } from './lookups.ts';
import type { ApiKeyRecord, ApiKeyStore, ClientRecord, ClientStore, UserRecord, UserStore } from './types.ts';

/** A user as callers may change it without changing the store: a shallow copy with its own lists. */
const copyUser = (user: UserRecord): UserRecord => {
  const out: UserRecord = { ...user };
  if (user.scopes) out.scopes = [...user.scopes];
  if (user.roles) out.roles = [...user.roles];
  if (user.claims) out.claims = structuredClone(user.claims);
  return out;
};

export function memoryUsers(users: readonly UserRecord[] = []): UserStore & { put(user: UserRecord): void } {
  const byName = new Map(users.map((u) => [u.username, structuredClone(u)]));
  return {
    findUserByName: (username) => {
      // Asked on every Basic request, cached or not: synchronously, and a shallow copy rather than structuredClone.
      const user = byName.get(username);
      return user ? copyUser(user) : undefined;
    },
    putUser: async (user) => {
      byName.set(user.username, structuredClone(user));
    },
    put: (user) => {
      byName.set(user.username, structuredClone(user));
    },
    listUsers: async () =>
      [...byName.values()]
        .map((record) => structuredClone(record))
        .sort((a, b) => a.username.localeCompare(b.username)),
    findUserById: async (id) => {
      for (const user of byName.values()) if (user.id === id) return copyUser(user);
      return undefined;
    },
    removeUser: async (username) => byName.delete(username),
  };
}

export function memoryApiKeys(
  keys: readonly ApiKeyRecord[] = [],
): ApiKeyStore & { put(key: ApiKeyRecord): void; lastUsed: Map<string, number> } {
  const byId = new Map(keys.map((k) => [k.keyId, structuredClone(k) as ApiKeyRecord & { lastUsedAt?: number }]));
  const lastUsed = new Map<string, number>();
  return {
    findApiKey: async (keyId) => (byId.has(keyId) ? structuredClone(byId.get(keyId)!) : undefined),
    putApiKey: async (key) => {
      byId.set(key.keyId, structuredClone(key));
    },
    put: (key) => {
      byId.set(key.keyId, structuredClone(key));
    },
    listApiKeys: async () =>
      [...byId.values()].map((k) => ({
        ...structuredClone(k),
        ...(lastUsed.has(k.keyId) ? { lastUsedAt: lastUsed.get(k.keyId)! } : {}),
      })),
    revokeApiKey: async (keyId) => {
      const key = byId.get(keyId);
      if (!key) return false;
      key.revoked = true;
      return true;
    },
    touchApiKey: async (keyId, at) => {
      lastUsed.set(keyId, at);
    },
    lastUsed,
  };
}

export function memoryClients(clients: readonly ClientRecord[] = []): ClientStore {
  const byId = new Map(clients.map((c) => [c.clientId, structuredClone(c)]));
  return {
    findClient: async (clientId) => (byId.has(clientId) ? structuredClone(byId.get(clientId)!) : undefined),
    putClient: async (client) => {
      byId.set(client.clientId, structuredClone(client));
    },
    listClients: async () =>
      [...byId.values()].map((record) => structuredClone(record)).sort((a, b) => a.clientId.localeCompare(b.clientId)),
    removeClient: async (clientId) => byId.delete(clientId),
  };
}

export function memorySigningKeys(keys: readonly SigningKeyRecord[] = []): SigningKeyLookup {
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  return { findSigningKey: async (keyId) => byId.get(keyId) };
}

export function memorySessions(
  sessions: Record<string, Identity> = {},
): SessionLookup & { put(id: string, identity: Identity): void } {
  const byId = new Map(Object.entries(sessions));
  return {
    findSession: async (id) => byId.get(id),
    put: (id, identity) => {
      byId.set(id, identity);
    },
  };
}
