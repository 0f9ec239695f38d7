/**
 * The token lifecycle: JWT access tokens (EdDSA by default; ES256 or HS256) typed at+jwt
 * (RFC 9068), opaque refresh tokens stored hashed and rotated on every use, each rotation taking
 * the subject as it is now; reuse detection that revokes the whole family (RFC 9700 §4.14.2) with a
 * short grace window in which a repeat gets the same successor back; revocation (RFC 7009) of a
 * token or of every session of a user; signing-key rotation that keeps old public keys, JWKS.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import { GatehouseError } from '../../http/gatehouse-error.ts';
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { Identity } from '../../stores/lookups.ts';
import type { DenyList, JwtKeyStore, RefreshTokenRecord, RefreshTokenStore, StoredJwtKey } from '../../stores/types.ts';
import type { Scheme } from '../scheme.ts';
import { bearerScheme } from '../schemes/bearer.ts';
import { KeySourceError } from '../server-failure.ts';
import { openSuccessor, sealSuccessor } from './refresh-successor.ts';
import { grantedRoles } from './role-scopes.ts';

export interface TokenServiceOptions {
  store: { refreshTokens: RefreshTokenStore; denyList: DenyList; jwtKeys: JwtKeyStore };
  /** The `iss` of every access token (and the authorization server's identifier, RFC 8414). */
  issuer: string;
  /** The `aud` of access tokens. @default the issuer */
  audience?: string;
  /** @default 'EdDSA' */
  algorithm?: 'EdDSA' | 'ES256' | 'HS256';
  /** The HS256 secret (at least 32 bytes); asymmetric keys are generated and kept in the store. */
  secret?: string;
  /** @default 600 (10 minutes) */
  accessTokenTtlSeconds?: number;
  /** @default 2_592_000 (30 days) */
  refreshTokenTtlSeconds?: number;
  /**
   * How long after a rotation the old refresh token may be presented again (two requests that
   * refresh at once, a response lost on the way): the repeat gets the same successor back, with an
   * access token of its own, never a new chain. After the window, for a token whose successor
   * was rotated too, or for a repeat that is expired or asks a wider scope, a repeat revokes the
   * family; so does any refresh token presented by another client. 0 accepts every refresh token
   * exactly once.
   * @default 10_000 ms
   */
  reuseGraceMs?: number;
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/** A grant that cannot be honoured, with its RFC 6749 §5.2 error code. */
export class TokenGrantError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TOKEN_GRANT';
  declare readonly code: typeof TokenGrantError.code;
  readonly oauthError: 'invalid_grant' | 'invalid_request' | 'invalid_scope';
  constructor(oauthError: TokenGrantError['oauthError'], description: string) {
    super(description, TokenGrantError.code);
    this.oauthError = oauthError;
  }
}

export interface IssueOptions {
  clientId: string;
  /** Space-separated scopes granted; the subject's role R goes into the token only if it holds `role:R`. */
  scope: string;
  /** Issue a refresh token too. @default true */
  refresh?: boolean;
}

export interface TokenService {
  readonly issuer: string;
  readonly audience: string;
  issue(subject: Identity, options: IssueOptions): Promise<TokenPair>;
  /**
   * Exchanges a refresh token for a new pair; the old one is rotated out. `currentIdentity` says
   * who the token's subject is now: the new access token carries its roles and the scopes asked
   * for that it still has; undefined (the account is gone) refuses with invalid_grant.
   */
  refresh(
    refreshToken: string,
    options: {
      clientId: string;
      scope?: string;
      currentIdentity: (subject: string) => MaybePromise<Identity | undefined>;
    },
  ): Promise<TokenPair>;
  /** Revokes a refresh token's family or an access token (RFC 7009): unknown tokens are ignored. */
  revoke(token: string, options: { clientId: string; hint?: string }): Promise<void>;
  /**
   * Revokes every refresh-token family (every session) of one subject, e.g. after its password
   * changed; returns how many were live. Access tokens already issued stay valid until their exp.
   */
  revokeUser(subject: string): Promise<number>;
  /**
   * Signs an access token with explicit times, for tests and the playground (an expired token,
   * one not yet valid). Times are ms since the epoch.
   */
  signAccessToken(
    subject: Identity,
    options: { clientId: string; scope: string; expiresAt: number; notBefore?: number },
  ): Promise<string>;
  /** Starts signing with a new key; the old public keys stay in the JWKS. Returns the new kid. */
  rotateSigningKey(): Promise<string>;
  jwks(): Promise<JSONWebKeySet>;
  /**
   * A bearer scheme that verifies this service's access tokens (typ at+jwt required, RFC 9068 §4)
   * and honours the deny-list.
   */
  bearerScheme(): Scheme<unknown>;
}

/** How the guard's failure report names this service's keys. */
const KEY_STORE_SOURCE = "the token service's key store (jwtKeys)";

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function createTokenService(options: TokenServiceOptions): TokenService {
  if (!options?.store?.refreshTokens || !options.store.denyList || !options.store.jwtKeys)
    throw invalidArgument('createTokenService: store must provide refreshTokens, denyList and jwtKeys');
  if (typeof options.issuer !== 'string' || !options.issuer)
    throw invalidArgument('createTokenService: issuer is required (a URL that names this server)');
  const algorithm = options.algorithm ?? 'EdDSA';
  if (algorithm === 'HS256' && (typeof options.secret !== 'string' || Buffer.byteLength(options.secret) < 32)) {
    throw invalidArgument('createTokenService: HS256 needs a secret of at least 32 bytes');
  }
  const { refreshTokens, denyList, jwtKeys } = options.store;
  const issuer = options.issuer;
  const audience = options.audience ?? issuer;
  const accessTtl = options.accessTokenTtlSeconds ?? 600;
  const refreshTtl = options.refreshTokenTtlSeconds ?? 30 * 24 * 3600;
  const grace = options.reuseGraceMs ?? 10_000;
  const hmacKey = algorithm === 'HS256' ? new TextEncoder().encode(options.secret) : undefined;

  let keys: StoredJwtKey[] = [];
  let loaded: Promise<void> | undefined;
  let lastReload = 0;

  async function reload(): Promise<void> {
    keys = (await jwtKeys.listJwtKeys()).filter((k) => k.alg === algorithm);
    lastReload = Date.now();
  }

  async function ensureKeys(): Promise<void> {
    if (hmacKey) return;
    loaded ??= (async () => {
      await reload();
      if (keys.length === 0) {
        await addKey();
        await reload();
      }
    })().catch((error) => {
      loaded = undefined;
      throw error;
    });
    await loaded;
  }

  async function addKey(): Promise<string> {
    const pair = await generateKeyPair(algorithm, {
      extractable: true,
      ...(algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    });
    const kid = `${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: algorithm, use: 'sig' };
    await jwtKeys.addJwtKey({
      kid,
      alg: algorithm,
      privateJwk: (await exportJWK(pair.privateKey)) as Record<string, unknown>,
      publicJwk,
      createdAt: Date.now(),
    });
    return kid;
  }

  async function signingKey(): Promise<{ key: CryptoKey | Uint8Array; kid?: string }> {
    if (hmacKey) return { key: hmacKey };
    await ensureKeys();
    const newest = keys.reduce((a, b) =>
      b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.kid > a.kid) ? b : a,
    );
    return { key: (await importJWK(newest.privateJwk as JWK, algorithm)) as CryptoKey, kid: newest.kid };
  }

  /** Finds the verification key by kid, asking the store again (at most once a second) for a key another instance added. */
  async function verificationKey(kid: string | undefined): Promise<CryptoKey | Uint8Array> {
    if (hmacKey) return hmacKey;
    let found: StoredJwtKey | undefined;
    try {
      await ensureKeys();
      found = keys.find((k) => k.kid === kid);
      if (!found && Date.now() - lastReload > 1000) {
        await reload();
        found = keys.find((k) => k.kid === kid);
      }
    } catch (error) {
      // The store could not give the keys: the server's failure (503 keys_unavailable), not the token's.
      throw new KeySourceError(KEY_STORE_SOURCE, error);
    }
    if (!found?.publicJwk) throw new errors.JWKSNoMatchingKey('no signing key of this service has that kid');
    return (await importJWK(found.publicJwk as JWK, algorithm)) as CryptoKey;
  }

  async function accessToken(
    subject: Identity,
    clientId: string,
    scope: string,
    expiresAt = Date.now() + accessTtl * 1000,
    notBefore?: number,
  ): Promise<string> {
    const { key, kid } = await signingKey();
    const claims: JWTPayload = { scope, client_id: clientId };
    // Only the roles the grant holds (role:R): a down-scoped token carries no more than it was granted.
    const roles = grantedRoles(subject.roles ?? [], scope);
    if (roles.length > 0) claims['roles'] = roles;
    let jwt = new SignJWT(claims)
      .setProtectedHeader(kid ? { alg: algorithm, kid, typ: 'at+jwt' } : { alg: algorithm, typ: 'at+jwt' })
      .setSubject(subject.id)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .setJti(randomUUID());
    if (notBefore !== undefined) jwt = jwt.setNotBefore(Math.floor(notBefore / 1000));
    return jwt.sign(key);
  }

  const newRefreshToken = () => `rt_${randomBytes(32).toString('base64url')}`;

  function refreshRecord(
    token: string,
    familyId: string,
    subject: Identity,
    clientId: string,
    scope: string,
    now: number,
  ): RefreshTokenRecord {
    return {
      hash: sha256(token),
      familyId,
      subject: subject.id,
      clientId,
      scope,
      roles: [...(subject.roles ?? [])],
      createdAt: now,
      expiresAt: now + refreshTtl * 1000,
    };
  }

  // RFC 9700 §4.14.2: a rotated token came back outside what a replay allows; someone holds a copy.
  async function reused(
    familyId: string,
    now: number,
    why = 'The refresh token was already used; its whole family is revoked. Sign in again.',
  ): Promise<never> {
    await refreshTokens.revokeFamily(familyId, now);
    throw new TokenGrantError('invalid_grant', why);
  }

  /**
   * The successor a repeat gets back: the rotation's own, only inside the grace window and only
   * while that successor is the family's live token (a parent of an older generation is a copy).
   */
  async function replayed(
    token: string,
    record: RefreshTokenRecord,
    rotation: { rotatedAt: number; sealedSuccessor?: string | undefined },
    now: number,
  ): Promise<string> {
    // The other rotation may carry a later timestamp than this request's own (instances read their
    // clocks before racing to the database), so only grace 0 makes every repeat too late.
    if (grace === 0 || now - rotation.rotatedAt >= grace || rotation.sealedSuccessor === undefined)
      return reused(record.familyId, now);
    const successor = openSuccessor(rotation.sealedSuccessor, token, record.hash);
    const live = successor && (await refreshTokens.findRefreshToken(sha256(successor)));
    if (!successor || !live || live.rotatedAt !== undefined || live.familyRevoked) return reused(record.familyId, now);
    return successor;
  }

  async function pair(
    subject: Identity,
    clientId: string,
    scope: string,
    refresh: string | undefined,
  ): Promise<TokenPair> {
    const result: TokenPair = {
      access_token: await accessToken(subject, clientId, scope),
      token_type: 'Bearer',
      expires_in: accessTtl,
      scope,
    };
    if (refresh) result.refresh_token = refresh;
    return result;
  }

  /**
   * Whether a token is one of this service's access tokens, at any time of its life: signature,
   * iss, aud and typ, not exp, nbf or iat. A token not valid yet must be revocable too (RFC 7009
   * §2.1), and jose checks no time claim against a tolerance that spans every date.
   */
  async function verifyForRevocation(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, async (header) => verificationKey(header.kid), {
      algorithms: [algorithm],
      issuer,
      audience,
      typ: 'at+jwt',
      clockTolerance: Number.MAX_SAFE_INTEGER,
    });
    return payload;
  }

  return {
    issuer,
    audience,
    async issue(subject, { clientId, scope, refresh = true }) {
      const now = Date.now();
      let refreshToken: string | undefined;
      if (refresh) {
        refreshToken = newRefreshToken();
        await refreshTokens.insertRefreshToken(
          refreshRecord(refreshToken, randomUUID(), subject, clientId, scope, now),
        );
      }
      return pair(subject, clientId, scope, refreshToken);
    },

    async refresh(token, { clientId, scope, currentIdentity }) {
      const now = Date.now();
      const record =
        typeof token === 'string' && token.startsWith('rt_')
          ? await refreshTokens.findRefreshToken(sha256(token))
          : undefined;
      if (!record) throw new TokenGrantError('invalid_grant', 'The refresh token is not known.');
      if (record.familyRevoked)
        throw new TokenGrantError('invalid_grant', 'The refresh token was revoked; sign in again.');
      // RFC 6749 §10.4: a refresh token is bound to its client, and only that client ever holds it.
      // Another client presenting it (rotated or not) means it leaked: the family ends, as for reuse.
      if (record.clientId !== clientId)
        return reused(
          record.familyId,
          now,
          'The refresh token was issued to another client; its whole family is revoked.',
        );
      // A rotated token may come back only as a replay: inside the window (replayed), unexpired and
      // within the granted scope. Anything else is a copy (RFC 9700 §4.14.2), whichever of these checks
      // refuses it: checked before the reuse check alone, a thief could probe a stolen old token freely.
      const rotated = record.rotatedAt !== undefined;
      if (record.expiresAt <= now) {
        if (rotated) return reused(record.familyId, now);
        throw new TokenGrantError('invalid_grant', 'The refresh token expired; sign in again.');
      }
      const granted = record.scope.split(' ').filter(Boolean);
      const asked = scope === undefined ? granted : scope.split(' ').filter(Boolean);
      if (asked.some((s) => !granted.includes(s))) {
        if (rotated) return reused(record.familyId, now);
        throw new TokenGrantError('invalid_scope', 'A refresh cannot widen the scope granted.');
      }

      // The subject as it is now, not as it was at sign-in: a removed account refreshes nothing
      // (RFC 6749 §5.2 invalid_grant), a demoted one gets its new roles and loses what it lost.
      const current = await currentIdentity(record.subject);
      if (!current || current.id !== record.subject) {
        await refreshTokens.revokeFamily(record.familyId, now);
        throw new TokenGrantError(
          'invalid_grant',
          'The account the refresh token was issued to is gone; sign in again.',
        );
      }
      const subject: Identity = { id: record.subject, roles: [...(current.roles ?? [])] };
      const still = new Set(current.scopes ?? []);
      // The family keeps the scope granted (RFC 6749 §6); each access token gets what is left of it.
      const effective = asked.filter((s) => still.has(s)).join(' ');

      let successor: string;
      if (record.rotatedAt !== undefined) {
        successor = await replayed(
          token,
          record,
          { rotatedAt: record.rotatedAt, sealedSuccessor: record.sealedSuccessor },
          now,
        );
      } else {
        const candidate = newRefreshToken();
        const rotation = await refreshTokens.rotate(
          record.hash,
          refreshRecord(candidate, record.familyId, subject, clientId, record.scope, now),
          sealSuccessor(candidate, token, record.hash),
          now,
        );
        successor = rotation.first ? candidate : await replayed(token, record, rotation, now);
      }
      // A repeat gets the same refresh token and an access token of its own, signed now: the
      // access token is short-lived and stored nowhere, so replaying it would mean keeping one.
      return pair(subject, clientId, effective, successor);
    },

    async revoke(token, { clientId, hint }) {
      const now = Date.now();
      if (hint !== 'access_token' && token.startsWith('rt_')) {
        const record = await refreshTokens.findRefreshToken(sha256(token));
        // RFC 7009 §2.1: only the client the token was issued to may revoke it.
        if (record && record.clientId === clientId) await refreshTokens.revokeFamily(record.familyId, now);
        return;
      }
      let payload: JWTPayload;
      try {
        payload = await verifyForRevocation(token);
      } catch (error) {
        // RFC 7009 §2.2: an invalid token needs no revocation. A store that could not be asked is
        // no answer about the token: say so (5xx) rather than answer 200 with nothing revoked.
        if (error instanceof errors.JOSEError) return;
        throw error;
      }
      if (payload['client_id'] !== clientId || typeof payload.jti !== 'string' || typeof payload.exp !== 'number')
        return;
      await denyList.deny(payload.jti, payload.exp * 1000);
    },

    revokeUser: (subject) => refreshTokens.revokeSubject(subject, Date.now()),

    signAccessToken: (subject, { clientId, scope, expiresAt, notBefore }) =>
      accessToken(subject, clientId, scope, expiresAt, notBefore),

    async rotateSigningKey() {
      if (hmacKey)
        throw invalidArgument('rotateSigningKey: an HS256 service has one secret; rotate it by deploying a new one');
      await ensureKeys();
      const kid = await addKey();
      await reload();
      return kid;
    },

    async jwks() {
      if (hmacKey) return { keys: [] };
      await ensureKeys();
      return { keys: keys.filter((k) => k.publicJwk).map((k) => k.publicJwk as JWK) };
    },

    bearerScheme() {
      return bearerScheme({
        jwt: {
          key: hmacKey ?? (async (header) => verificationKey(header.kid)),
          algorithms: [algorithm],
          issuer,
          audience,
          // RFC 9068 §4, RFC 8725 §3.11: an ID token or any other JWT signed with these keys is not an access token.
          typ: 'at+jwt',
          isRevoked: async (payload) => typeof payload.jti === 'string' && (await denyList.isDenied(payload.jti)),
        },
      });
    },
  };
}
