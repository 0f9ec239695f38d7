/** The token service's state, in SQL: refresh tokens and their families, the deny-list, the signing keys. */
import { holds, type SqlDriver } from './sql-driver.ts';
import { num, tokenOf } from './sql-rows.ts';
import type { DenyList, JwtKeyStore, RefreshRotation, RefreshTokenRecord, RefreshTokenStore } from './types.ts';

export function sqlRefreshTokens(db: SqlDriver): RefreshTokenStore {
  const insertToken = async (t: RefreshTokenRecord) => {
    await db.run(
      'INSERT INTO gatehouse_refresh_tokens (hash, family_id, subject, client_id, scope, roles, created_at, expires_at, rotated_at, resources, acr, auth_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
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
        t.resources === undefined ? null : JSON.stringify(t.resources),
        t.acr ?? null,
        t.authTime ?? null,
      ],
    );
  };
  return {
    insertRefreshToken: (t) => insertToken(t),
    findRefreshToken: async (hash) => {
      if (!holds(db, hash)) return undefined;
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
  };
}

export function sqlDenyList(db: SqlDriver): DenyList {
  return {
    deny: async (jti, expiresAt) => {
      await db.run(
        'INSERT INTO gatehouse_deny_list (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at',
        [jti, expiresAt],
      );
    },
    isDenied: async (jti) =>
      // A jti that cannot be stored was never denied.
      holds(db, jti) &&
      (await db.all('SELECT 1 AS hit FROM gatehouse_deny_list WHERE jti = ? AND expires_at > ?', [jti, Date.now()]))
        .length > 0,
  };
}

export function sqlJwtKeys(db: SqlDriver): JwtKeyStore {
  return {
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
  };
}
