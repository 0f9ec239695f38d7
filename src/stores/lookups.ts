/**
 * What the schemes need to look up, as small interfaces by concern. Memory implementations are
 * in memory.ts; SQLite, Postgres and Redis ones implement the same interfaces. They live with the
 * stores, below the server: a store implements them without knowing the schemes that call it.
 */
import type { MaybePromise } from '../http/maybe-promise.ts';

/** What a store or callback returns for a known identity; the scheme fills in `scheme`. */
export interface Identity {
  id: string;
  scopes?: readonly string[];
  roles?: readonly string[];
  claims?: Record<string, unknown>;
}

export interface UserRecord extends Identity {
  username: string;
  /** A PHC string from hashPassword(): argon2id or scrypt. */
  passwordHash: string;
}

export interface UserLookup {
  /**
   * The user, or undefined. May answer synchronously (the memory store does): a Basic request
   * whose credentials verified recently then costs no promise at all.
   */
  findUserByName(username: string): MaybePromise<UserRecord | undefined>;
}

export interface ApiKeyRecord extends Identity {
  /** The id part of the key, stored in clear to find the record. */
  keyId: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  /** ms since the epoch. */
  expiresAt?: number;
  revoked?: boolean;
}

export interface ApiKeyLookup {
  findApiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Records the time of a successful use, when the store keeps it. */
  touchApiKey?(keyId: string, at: number): Promise<void>;
}

export interface SigningKeyRecord extends Identity {
  /**
   * The key's own id, as stored. The replay cache and its per-key share are named by it, not by
   * the keyId a request sent, so a lookup that finds this record under other spellings too
   * (ignoring case, say) gives all of them one nonce space.
   */
  keyId: string;
  secret: string;
}

export interface SigningKeyLookup {
  findSigningKey(keyId: string): Promise<SigningKeyRecord | undefined>;
}

export interface SessionLookup {
  findSession(sessionId: string): Promise<Identity | undefined>;
}

/** Remembers nonces for a while: the replay cache of signed requests. */
export interface NonceStore {
  /**
   * Records `nonce` for the key `keyId`; false when that pair was already recorded and has not
   * expired. Keep `replayKeyOf(keyId, nonce)` rather than the text, so an entry has a fixed size.
   * May throw NonceStoreFullError (answered 503) rather than forget a pair still inside its window.
   */
  remember(keyId: string, nonce: string, ttlMs: number): Promise<boolean>;
}
