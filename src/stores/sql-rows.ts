/** Rows read back into records: lists are stored as JSON text, absent numbers as NULL. */
import type { ApiKeyRecord, AuthorizationCodeRecord, ClientRecord, RefreshTokenRecord, UserRecord } from './types.ts';

export const list = (value: unknown): string[] => (typeof value === 'string' ? (JSON.parse(value) as string[]) : []);
export const num = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value);

export function userOf(row: Record<string, unknown>): UserRecord {
  return {
    username: String(row['username']),
    id: String(row['id']),
    passwordHash: String(row['password_hash']),
    scopes: list(row['scopes']),
    roles: list(row['roles']),
  };
}

export function keyOf(row: Record<string, unknown>): ApiKeyRecord & { lastUsedAt?: number } {
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

export function clientOf(row: Record<string, unknown>): ClientRecord {
  const client: ClientRecord = {
    clientId: String(row['client_id']),
    grants: list(row['grants']),
    scopes: list(row['scopes']),
  };
  if (row['secret_hash']) client.secretHash = String(row['secret_hash']);
  if (row['name']) client.name = String(row['name']);
  // NULL for a client put without them, or registered before schema version 5.
  if (typeof row['redirect_uris'] === 'string') client.redirectUris = list(row['redirect_uris']);
  return client;
}

export function tokenOf(row: Record<string, unknown>): RefreshTokenRecord & { familyRevoked: boolean } {
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
  // NULL for a token inserted without them, or stored before schema version 6.
  if (typeof row['resources'] === 'string') token.resources = list(row['resources']);
  return withSignIn(token, row);
}

export function codeOf(row: Record<string, unknown>): AuthorizationCodeRecord {
  const record = withSignIn<AuthorizationCodeRecord>(
    {
      hash: String(row['hash']),
      clientId: String(row['client_id']),
      redirectUri: String(row['redirect_uri']),
      codeChallenge: String(row['code_challenge']),
      subject: String(row['subject']),
      roles: list(row['roles']),
      scope: String(row['scope']),
      resources: list(row['resources']),
      familyId: String(row['family_id']),
      accessTokenJti: String(row['access_token_jti']),
      createdAt: Number(row['created_at']),
      expiresAt: Number(row['expires_at']),
      keepUntil: Number(row['keep_until']),
    },
    row,
  );
  // NULL for a code not bound to a DPoP key, or stored before schema version 8.
  if (typeof row['dpop_jkt'] === 'string') record.dpopJkt = row['dpop_jkt'];
  return record;
}

/** Adds how and when the user signed in (schema version 7); NULL for a grant stored before. */
function withSignIn<R extends { acr?: string; authTime?: number }>(record: R, row: Record<string, unknown>): R {
  if (typeof row['acr'] === 'string') record.acr = row['acr'];
  const authTime = num(row['auth_time']);
  if (authTime !== undefined) record.authTime = authTime;
  return record;
}
