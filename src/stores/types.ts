/**
 * The store interfaces, small and by concern. Every implementation (memory, SQLite, Postgres,
 * and Redis for the concerns that suit it) passes the same behaviour suite.
 */
import type { ApiKeyLookup, ApiKeyRecord, NonceStore, UserLookup, UserRecord } from './lookups.ts';

export type { ApiKeyRecord, NonceStore, UserRecord };

export interface UserStore extends UserLookup {
  /** Adds or replaces the user with this username. */
  putUser(user: UserRecord): Promise<void>;
  listUsers(): Promise<UserRecord[]>;
  /**
   * The user with this id (the `sub` of its tokens), or undefined: a refresh-token rotation asks
   * who the subject is now.
   */
  findUserById(id: string): Promise<UserRecord | undefined>;
  /** false when there was no such user. */
  removeUser(username: string): Promise<boolean>;
}

export interface ApiKeyStore extends ApiKeyLookup {
  putApiKey(record: ApiKeyRecord & { lastUsedAt?: number }): Promise<void>;
  listApiKeys(): Promise<Array<ApiKeyRecord & { lastUsedAt?: number }>>;
  revokeApiKey(keyId: string): Promise<boolean>;
  touchApiKey(keyId: string, at: number): Promise<void>;
}

/** An OAuth 2.0 client (RFC 6749 §2). */
export interface ClientRecord {
  clientId: string;
  /** Hex SHA-256 of the generated secret; absent for a public client. */
  secretHash?: string;
  name?: string;
  /** Grant types it may use. */
  grants: string[];
  /** Scopes it may ask for. */
  scopes: string[];
  /**
   * The redirect URIs registered for the authorization-code grant, each compared to the one a
   * request names by exact string match (RFC 9700 §4.1.3); absent or empty: the client cannot use
   * the authorize endpoint.
   */
  redirectUris?: string[];
}

export interface ClientStore {
  findClient(clientId: string): Promise<ClientRecord | undefined>;
  putClient(client: ClientRecord): Promise<void>;
  listClients(): Promise<ClientRecord[]>;
  removeClient(clientId: string): Promise<boolean>;
}

export interface RefreshTokenRecord {
  /** Hex SHA-256 of the token; the token itself is never stored. */
  hash: string;
  familyId: string;
  subject: string;
  clientId: string;
  scope: string;
  roles: string[];
  createdAt: number;
  expiresAt: number;
  /**
   * The resource indicators (RFC 8707 §2) its grant was for, which a refresh may not go beyond
   * (RFC 8707 §2.2); absent or [] for a grant of the service's default audience (and for a token
   * stored before they were kept). Rotation copies them to the successor.
   */
  resources?: string[];
  /** How the user signed in (an `acr` value, RFC 9470 §3), carried into every token of the grant. */
  acr?: string;
  /** When the user signed in (seconds since the epoch, the `auth_time` claim), kept across refreshes. */
  authTime?: number;
  /** When it was exchanged for a successor. */
  rotatedAt?: number;
  /**
   * The successor handed out at that rotation, sealed under a key derived from this token (see
   * refresh-successor.ts): what a repeat inside the grace window gets back.
   */
  sealedSuccessor?: string;
}

/** What `rotate` answers: whether this call rotated the token, and the rotation that counts. */
export interface RefreshRotation {
  first: boolean;
  /** When the token was rotated (by this call or the first one). */
  rotatedAt: number;
  /** The sealed successor of the rotation that counts; absent for a token rotated before it was kept. */
  sealedSuccessor?: string;
}

export interface RefreshTokenStore {
  insertRefreshToken(record: RefreshTokenRecord): Promise<void>;
  findRefreshToken(hash: string): Promise<(RefreshTokenRecord & { familyRevoked: boolean }) | undefined>;
  /**
   * Rotates a token to `successor`, atomically across every instance sharing the store: the one
   * call that rotates it (`first`) stores `successor` (findable before the call returns) and the
   * sealed successor token; every other call changes nothing (its successor is never stored) and
   * gets the time and the sealed successor of that first rotation.
   */
  rotate(hash: string, successor: RefreshTokenRecord, sealedSuccessor: string, now: number): Promise<RefreshRotation>;
  revokeFamily(familyId: string, now: number): Promise<void>;
  /** Revokes every family of one subject (every session of a user); returns how many were live. */
  revokeSubject(subject: string, now: number): Promise<number>;
}

/**
 * An authorization code (RFC 6749 §4.1.2), as the store keeps it until `keepUntil`: long enough
 * that a code presented twice is recognised as a replay, and what its first redemption issued is
 * revoked (RFC 6749 §4.1.2, RFC 9700 §4.2.4 — the ids are fixed when the code is issued).
 */
export interface AuthorizationCodeRecord {
  /** Hex SHA-256 of the code; the code itself is never stored. */
  hash: string;
  clientId: string;
  /** The redirect_uri of the authorization request, which the token request must repeat exactly. */
  redirectUri: string;
  /** The PKCE challenge (RFC 7636 §4.2), always S256: base64url of the SHA-256 of the verifier. */
  codeChallenge: string;
  subject: string;
  roles: string[];
  /** Space-separated scopes granted. */
  scope: string;
  /** The resource indicators (RFC 8707 §2) of the authorization request; [] for none. */
  resources: string[];
  /** How the user signed in (an `acr` value, RFC 9470 §3), carried into every token of the grant. */
  acr?: string;
  /** When the user signed in (seconds since the epoch, the `auth_time` claim), kept across refreshes. */
  authTime?: number;
  /**
   * The JWK SHA-256 thumbprint of the DPoP key the code is bound to (RFC 9449 §10 `dpop_jkt`): only
   * a token request with a proof of that key redeems it. Absent: a code not bound to a key.
   */
  dpopJkt?: string;
  /** The refresh-token family the first redemption starts. */
  familyId: string;
  /** The jti of the access token the first redemption issues. */
  accessTokenJti: string;
  createdAt: number;
  /** After this (ms since the epoch) the code is refused. */
  expiresAt: number;
  /** Until when the record is kept (≥ expiresAt), to recognise a replay; then it may be deleted. */
  keepUntil: number;
}

export interface AuthorizationCodeStore {
  insertAuthorizationCode(record: AuthorizationCodeRecord): Promise<void>;
  /**
   * Marks a code redeemed, atomically across every instance sharing the store: the one call that
   * redeems it gets `first: true`; every later call gets `first: false` (a replay) with the same
   * record. Undefined for a hash the store does not hold (never issued, or past `keepUntil`).
   * Expiry is the caller's to judge: an expired code is still marked.
   */
  redeemAuthorizationCode(
    hash: string,
    now: number,
  ): Promise<{ first: boolean; record: AuthorizationCodeRecord } | undefined>;
}

/** Access tokens revoked before their expiry (RFC 7009), kept until they would have expired. */
export interface DenyList {
  deny(jti: string, expiresAt: number): Promise<void>;
  isDenied(jti: string): Promise<boolean>;
}

export interface StoredJwtKey {
  kid: string;
  alg: string;
  /** JWK of the private key (or the HMAC secret as an `oct` JWK). */
  privateJwk: Record<string, unknown>;
  /** JWK of the public key; absent for HMAC. */
  publicJwk?: Record<string, unknown>;
  createdAt: number;
}

export interface JwtKeyStore {
  listJwtKeys(): Promise<StoredJwtKey[]>;
  addJwtKey(key: StoredJwtKey): Promise<void>;
}

/** A response as the idempotency ledger keeps it, to replay. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyClaim =
  | { state: 'new' }
  | { state: 'pending' }
  | { state: 'done'; response: StoredResponse }
  | { state: 'conflict' }
  /**
   * The ledger holds as many live entries as it may (the memory ledger's bound): the request is
   * refused rather than a live key forgotten. `until`: when the first entry expires (ms since the epoch).
   */
  | { state: 'full'; until: number };

/** The ledger behind idempotent POSTs: key → the response, so a repeat is answered, not re-run. */
export interface IdempotencyLedger {
  /**
   * Claims a key, atomically across instances: `new` (run the request), `pending` (another run
   * holds it), `done` (replay this), `conflict` (the key came with a different request).
   * An expired entry (a run that died, an old answer) is taken over.
   */
  claim(key: string, fingerprint: string, now: number, pendingMs: number): Promise<IdempotencyClaim>;
  complete(key: string, response: StoredResponse, now: number, keepMs: number): Promise<void>;
  /** The run failed before it took effect: a retry may run it again. */
  release(key: string): Promise<void>;
  /**
   * Removes at most `limit` expired entries; returns how many. `claim` calls it on its own every
   * LEDGER_SWEEP_EVERY claims (src/stores/ledger-sweep.ts); a scheduled job may call it too.
   */
  sweep(now: number, limit: number): Promise<number>;
}

/** Everything the server keeps, as one object: what openStore() returns. */
export interface GatehouseStore {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  users: UserStore;
  apiKeys: ApiKeyStore;
  clients: ClientStore;
  refreshTokens: RefreshTokenStore;
  authorizationCodes: AuthorizationCodeStore;
  denyList: DenyList;
  jwtKeys: JwtKeyStore;
  nonces: NonceStore;
  idempotency: IdempotencyLedger;
  close(): Promise<void>;
}
