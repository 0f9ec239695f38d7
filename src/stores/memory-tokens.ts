/** The token service's state, in this process's memory: refresh tokens and their families, the deny-list, the signing keys. */
import type {
  DenyList,
  JwtKeyStore,
  RefreshRotation,
  RefreshTokenRecord,
  RefreshTokenStore,
  StoredJwtKey,
} from './types.ts';

export function memoryRefreshTokens(): RefreshTokenStore {
  const tokens = new Map<string, RefreshTokenRecord>();
  const revokedFamilies = new Set<string>();
  return {
    insertRefreshToken: async (record) => {
      tokens.set(record.hash, structuredClone(record));
    },
    findRefreshToken: async (hash) => {
      const token = tokens.get(hash);
      return token && { ...structuredClone(token), familyRevoked: revokedFamilies.has(token.familyId) };
    },
    // Synchronous from the read to the writes: atomic in one process.
    rotate: async (hash, successor, sealedSuccessor, now) => {
      const token = tokens.get(hash);
      if (!token) return { first: false, rotatedAt: now };
      if (token.rotatedAt !== undefined) {
        const kept: RefreshRotation = { first: false, rotatedAt: token.rotatedAt };
        if (token.sealedSuccessor !== undefined) kept.sealedSuccessor = token.sealedSuccessor;
        return kept;
      }
      tokens.set(successor.hash, structuredClone(successor));
      Object.assign(token, { rotatedAt: now, sealedSuccessor });
      return { first: true, rotatedAt: now, sealedSuccessor };
    },
    revokeFamily: async (familyId) => {
      revokedFamilies.add(familyId);
    },
    revokeSubject: async (subject) => {
      let revoked = 0;
      for (const token of tokens.values()) {
        if (token.subject !== subject || revokedFamilies.has(token.familyId)) continue;
        revokedFamilies.add(token.familyId);
        revoked++;
      }
      return revoked;
    },
  };
}

export function memoryDenyList(): DenyList {
  const until = new Map<string, number>();
  return {
    deny: async (jti, expiresAt) => {
      until.set(jti, expiresAt);
    },
    isDenied: async (jti) => {
      const expiry = until.get(jti);
      if (expiry === undefined) return false;
      if (expiry <= Date.now()) {
        until.delete(jti);
        return false;
      }
      return true;
    },
  };
}

export function memoryJwtKeys(): JwtKeyStore {
  const keys: StoredJwtKey[] = [];
  return {
    listJwtKeys: async () =>
      keys
        .map((record) => structuredClone(record))
        .sort((a, b) => a.createdAt - b.createdAt || a.kid.localeCompare(b.kid)),
    addJwtKey: async (key) => {
      keys.push(structuredClone(key));
    },
  };
}
