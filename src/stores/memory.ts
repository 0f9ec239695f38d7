/** In-memory stores: for tests and single-process demos. Everything is lost on exit. */

import { invalidArgument } from '../http/argument-error.ts';
import { LEDGER_SWEEP_BATCH, LEDGER_SWEEP_EVERY } from './ledger-sweep.ts';
import type {
  ApiKeyLookup,
  Identity,
  NonceStore,
  SessionLookup,
  SigningKeyLookup,
  SigningKeyRecord,
  UserLookup,
} from './lookups.ts';
import { NonceStoreFullError } from './nonce-store-full.ts';
import { replayKeyOf } from './replay-key.ts';
import type {
  ApiKeyRecord,
  ApiKeyStore,
  ClientRecord,
  ClientStore,
  DenyList,
  GatehouseStore,
  IdempotencyLedger,
  JwtKeyStore,
  RefreshRotation,
  RefreshTokenRecord,
  RefreshTokenStore,
  StoredJwtKey,
  StoredResponse,
  UserRecord,
  UserStore,
} from './types.ts';

const copy = <T>(value: T): T => structuredClone(value);
/** A user as callers may change it without changing the store: a shallow copy with its own lists. */
const copyUser = (user: UserRecord): UserRecord => {
  const out: UserRecord = { ...user };
  if (user.scopes) out.scopes = [...user.scopes];
  if (user.roles) out.roles = [...user.roles];
  if (user.claims) out.claims = structuredClone(user.claims);
  return out;
};

export function memoryUsers(users: readonly UserRecord[] = []): UserStore & { put(user: UserRecord): void } {
  const byName = new Map(users.map((u) => [u.username, copy(u)]));
  return {
    findUserByName: (username) => {
      // Asked on every Basic request, cached or not: synchronously, and a shallow copy rather than structuredClone.
      const user = byName.get(username);
      return user ? copyUser(user) : undefined;
    },
    putUser: async (user) => {
      byName.set(user.username, copy(user));
    },
    put: (user) => {
      byName.set(user.username, copy(user));
    },
    listUsers: async () => [...byName.values()].map(copy).sort((a, b) => a.username.localeCompare(b.username)),
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
  const byId = new Map(keys.map((k) => [k.keyId, copy(k) as ApiKeyRecord & { lastUsedAt?: number }]));
  const lastUsed = new Map<string, number>();
  return {
    findApiKey: async (keyId) => (byId.has(keyId) ? copy(byId.get(keyId)!) : undefined),
    putApiKey: async (key) => {
      byId.set(key.keyId, copy(key));
    },
    put: (key) => {
      byId.set(key.keyId, copy(key));
    },
    listApiKeys: async () =>
      [...byId.values()].map((k) => ({
        ...copy(k),
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
  const byId = new Map(clients.map((c) => [c.clientId, copy(c)]));
  return {
    findClient: async (clientId) => (byId.has(clientId) ? copy(byId.get(clientId)!) : undefined),
    putClient: async (client) => {
      byId.set(client.clientId, copy(client));
    },
    listClients: async () => [...byId.values()].map(copy).sort((a, b) => a.clientId.localeCompare(b.clientId)),
    removeClient: async (clientId) => byId.delete(clientId),
  };
}

export function memoryRefreshTokens(): RefreshTokenStore {
  const tokens = new Map<string, RefreshTokenRecord>();
  const revokedFamilies = new Set<string>();
  return {
    insertRefreshToken: async (record) => {
      tokens.set(record.hash, copy(record));
    },
    findRefreshToken: async (hash) => {
      const token = tokens.get(hash);
      return token && { ...copy(token), familyRevoked: revokedFamilies.has(token.familyId) };
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
      tokens.set(successor.hash, copy(successor));
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
    listJwtKeys: async () => keys.map(copy).sort((a, b) => a.createdAt - b.createdAt || a.kid.localeCompare(b.kid)),
    addJwtKey: async (key) => {
      keys.push(copy(key));
    },
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

export interface MemoryNoncesOptions {
  /**
   * How many nonces it holds at most. Size it for (signed requests per second) × 2 × window: when
   * it is full of nonces still inside their window, new ones are refused (503), never made room for
   * by forgetting a live one. @default 100_000
   */
  maxEntries?: number;
  /**
   * How many of them one signing key may hold, so that one key holder filling its share is refused
   * (503) while the other keys go on. With a single key, set it to maxEntries. @default a quarter
   * of maxEntries
   */
  maxEntriesPerKey?: number;
  /** Told once each time the whole cache fills up (a full share is that key's refusal). @default one line on stderr */
  onFull?: (error: NonceStoreFullError) => void;
}

/** One signing key's nonces: their digests in insertion order (expiry order for one window). */
interface KeyShare {
  until: Map<string, number>;
  /** While the share is full: the earliest expiry in it, before which no room can free up. */
  fullUntil: number;
}

/**
 * A replay cache in this process's memory, bounded in entries and so in bytes: each entry is a
 * fixed-size digest of (key id, nonce), and each key has its own share of the room. A nonce is kept
 * until its window ends, whatever comes after it: when the cache or the key's share is full of live
 * nonces, `remember` throws NonceStoreFullError (the signature scheme answers 503) rather than
 * forget one, since a forgotten nonce is a request that can be replayed. Expired nonces are swept
 * as it goes.
 */
export function memoryNonces(options: number | MemoryNoncesOptions = {}): NonceStore {
  const {
    maxEntries = 100_000,
    onFull = reportFull,
    ...rest
  } = typeof options === 'number' ? { maxEntries: options } : options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw invalidArgument('memoryNonces: maxEntries must be a positive integer');
  const maxEntriesPerKey = rest.maxEntriesPerKey ?? Math.max(1, Math.floor(maxEntries / 4));
  if (!Number.isSafeInteger(maxEntriesPerKey) || maxEntriesPerKey < 1 || maxEntriesPerKey > maxEntries)
    throw invalidArgument('memoryNonces: maxEntriesPerKey must be a positive integer, at most maxEntries');
  // By the digest of the key id alone, so a bucket's name too has a fixed size.
  const shares = new Map<string, KeyShare>();
  let size = 0;
  // While full: the earliest expiry among the nonces held, before which no room can free up.
  let fullUntil = 0;
  // Whether onFull was told: once per episode, which ends when a tenth of the room is free again.
  let told = false;
  const sweep = (share: KeyShare, now: number, all: boolean): number => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [digest, expiry] of share.until) {
      if (expiry <= now) {
        share.until.delete(digest);
        size--;
      } else if (!all) return expiry;
      else earliest = Math.min(earliest, expiry);
    }
    return earliest;
  };
  return {
    async remember(keyId, nonce, ttlMs) {
      const now = Date.now();
      const bucket = replayKeyOf(keyId, '');
      const digest = replayKeyOf(keyId, nonce);
      let share = shares.get(bucket);
      if (!share) {
        share = { until: new Map(), fullUntil: 0 };
        shares.set(bucket, share);
      }
      const seen = share.until.get(digest);
      if (seen !== undefined && seen > now) return false;
      if (seen !== undefined) {
        share.until.delete(digest);
        size--;
      }
      // Expired nonces are at the front of the key's share; nonces of other windows may be out of
      // order, so a full share or cache is swept whole, at most once per earliest expiry.
      sweep(share, now, false);
      if (size >= maxEntries) {
        if (now >= fullUntil) {
          fullUntil = Number.POSITIVE_INFINITY;
          for (const [name, other] of shares) {
            fullUntil = Math.min(fullUntil, sweep(other, now, true));
            if (other.until.size === 0 && other !== share) shares.delete(name);
          }
        }
        if (size >= maxEntries) {
          const error = new NonceStoreFullError(maxEntries, fullUntil - now);
          if (!told) onFull(error);
          told = true;
          throw error;
        }
      }
      if (share.until.size >= maxEntriesPerKey) {
        if (now >= share.fullUntil) share.fullUntil = sweep(share, now, true);
        if (share.until.size >= maxEntriesPerKey)
          throw new NonceStoreFullError(maxEntriesPerKey, share.fullUntil - now, true);
      }
      if (size < maxEntries * 0.9) told = false;
      share.until.set(digest, now + ttlMs);
      size++;
      return true;
    },
  };
}

function reportFull(error: NonceStoreFullError): void {
  console.error(`gatehouse: ${error.message}`);
}

export interface MemoryIdempotencyOptions {
  /**
   * The most entries (live or not yet swept) kept at once. When that many are live, a new key is
   * refused (503 `store_unavailable`) rather than a live one forgotten, which would let its
   * request run twice. Size it as (keyed requests per second) × keepMs in seconds. @default 10_000
   */
  maxEntries?: number;
}

type LedgerEntry = { fingerprint: string; until: number; response?: StoredResponse };

/** The idempotency ledger in this process's memory: bounded, expired entries swept as it goes. */
export function memoryIdempotency(options: MemoryIdempotencyOptions = {}): IdempotencyLedger {
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, LedgerEntry>();
  let claims = 0;
  // No entry expires before this: while `now` is earlier, a sweep would find nothing.
  let earliest = Number.POSITIVE_INFINITY;
  const hold = (key: string, entry: LedgerEntry) => {
    entries.set(key, entry);
    earliest = Math.min(earliest, entry.until);
  };
  const sweep = (now: number, limit: number): number => {
    if (now < earliest) return 0;
    let removed = 0;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of entries) {
      if (entry.until > now) next = Math.min(next, entry.until);
      else if (removed === limit)
        return removed; // stopped early: `earliest` stays a lower bound
      else {
        entries.delete(key);
        removed++;
      }
    }
    earliest = next;
    return removed;
  };
  return {
    async claim(key, fingerprint, now, pendingMs) {
      if (++claims % LEDGER_SWEEP_EVERY === 0) sweep(now, LEDGER_SWEEP_BATCH);
      const entry = entries.get(key);
      if (!entry || entry.until <= now) {
        entries.delete(key);
        if (entries.size >= maxEntries) sweep(now, Number.POSITIVE_INFINITY);
        if (entries.size >= maxEntries) return { state: 'full', until: earliest };
        hold(key, { fingerprint, until: now + pendingMs });
        return { state: 'new' };
      }
      if (entry.fingerprint !== fingerprint) return { state: 'conflict' };
      return entry.response ? { state: 'done', response: copy(entry.response) } : { state: 'pending' };
    },
    async complete(key, response, now, keepMs) {
      const entry = entries.get(key);
      if (entry) hold(key, { ...entry, response: copy(response), until: now + keepMs });
    },
    async release(key) {
      if (!entries.get(key)?.response) entries.delete(key);
    },
    sweep: async (now, limit) => sweep(now, limit),
  };
}

export function memoryStore(): GatehouseStore {
  return {
    kind: 'memory',
    users: memoryUsers(),
    apiKeys: memoryApiKeys(),
    clients: memoryClients(),
    refreshTokens: memoryRefreshTokens(),
    denyList: memoryDenyList(),
    jwtKeys: memoryJwtKeys(),
    nonces: memoryNonces(),
    idempotency: memoryIdempotency(),
    close: async () => {},
  };
}

export type { ApiKeyLookup, UserLookup };
