/** In-memory implementations of the lookups, for tests and single-process demos. */
import type {
  ApiKeyLookup,
  ApiKeyRecord,
  NonceStore,
  SessionLookup,
  SigningKeyLookup,
  SigningKeyRecord,
  UserLookup,
  UserRecord,
} from '../server/lookups.ts';
import type { Identity } from '../server/principal.ts';

export function memoryUsers(users: readonly UserRecord[] = []): UserLookup & { put(user: UserRecord): void } {
  const byName = new Map(users.map((u) => [u.username, u]));
  return {
    findUserByName: async (username) => byName.get(username),
    put: (user) => {
      byName.set(user.username, user);
    },
  };
}

export function memoryApiKeys(
  keys: readonly ApiKeyRecord[] = [],
): ApiKeyLookup & { put(key: ApiKeyRecord): void; lastUsed: Map<string, number> } {
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  const lastUsed = new Map<string, number>();
  return {
    findApiKey: async (keyId) => byId.get(keyId),
    touchApiKey: async (keyId, at) => {
      lastUsed.set(keyId, at);
    },
    put: (key) => {
      byId.set(key.keyId, key);
    },
    lastUsed,
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

/** A replay cache in this process's memory, bounded in size; expired nonces are swept as it goes. */
export function memoryNonces(maxEntries = 100_000): NonceStore {
  const until = new Map<string, number>();
  return {
    async remember(nonce, ttlMs) {
      const now = Date.now();
      const seen = until.get(nonce);
      if (seen !== undefined && seen > now) return false;
      until.delete(nonce);
      until.set(nonce, now + ttlMs);
      // Map keeps insertion order: the oldest entries are the first to sweep.
      for (const [key, expiry] of until) {
        if (until.size <= maxEntries && expiry > now) break;
        until.delete(key);
      }
      return true;
    },
  };
}
