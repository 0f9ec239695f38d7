/**
 * The cases every store backend must pass (memory, SQLite, Postgres), which each
 * test/stores/<backend>.test.ts runs for its backend; the concerns a Redis backend offers too are
 * checked by the functions of store-concerns.ts.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createApiKey, type GatehouseStore, type RefreshTokenRecord } from '../../src/server/index.ts';
import { NOW as CODE_NOW, code, codesForget, codesRedeemOnce, codesRedeemOnceConcurrently } from './code-behaviour.ts';
import {
  denyListBehaves,
  ledgerBehaves,
  ledgerForgets,
  noncesBehave,
  noncesKeepDigests,
  noncesKeepLive,
} from './store-concerns.ts';

export type Opened = { store: GatehouseStore; done: () => Promise<void> };

export const token = (n: number, familyId = 'fam-1'): RefreshTokenRecord => ({
  hash: `hash-${n}`,
  familyId,
  subject: 'u1',
  clientId: 'app',
  scope: 'read write',
  roles: ['member'],
  createdAt: 1_700_000_000_000 + n,
  expiresAt: 1_900_000_000_000,
});

/**
 * The behaviour every GatehouseStore keeps, run against one backend: each of its concerns (users,
 * API keys, clients, refresh tokens, the deny-list, nonces, the idempotency ledger, JWT keys).
 * `open` gives a fresh store, or undefined when the backend is not there (`requirePostgres`: skipped
 * locally, a failure on CI).
 */
export function storeBehaves(name: string, open: (t: TestContext) => Promise<Opened | undefined>): void {
  describe(`${name} store`, () => {
    const withStore = (fn: (store: GatehouseStore) => Promise<void>) => async (t: TestContext) => {
      const opened = await open(t);
      if (!opened) return;
      try {
        await fn(opened.store);
      } finally {
        await opened.done();
      }
    };

    it(
      'users: put, find, replace, list in order, remove',
      withStore(async ({ users }) => {
        assert.equal(await users.findUserByName('ann'), undefined);
        await users.putUser({
          username: 'ann',
          id: 'u1',
          passwordHash: '$argon2id$x',
          scopes: ['read'],
          roles: ['member'],
        });
        await users.putUser({ username: 'bob', id: 'u2', passwordHash: '$argon2id$y', scopes: [], roles: [] });
        assert.deepStrictEqual(await users.findUserByName('ann'), {
          username: 'ann',
          id: 'u1',
          passwordHash: '$argon2id$x',
          scopes: ['read'],
          roles: ['member'],
        });
        await users.putUser({
          username: 'ann',
          id: 'u1',
          passwordHash: '$argon2id$z',
          scopes: ['read', 'admin'],
          roles: [],
        });
        assert.equal((await users.findUserByName('ann'))?.passwordHash, '$argon2id$z');
        assert.deepStrictEqual(
          (await users.listUsers()).map((u) => u.username),
          ['ann', 'bob'],
        );
        assert.equal(await users.removeUser('ann'), true);
        assert.equal(await users.removeUser('ann'), false);
        assert.equal(await users.findUserByName('ann'), undefined);
      }),
    );

    it(
      'API keys: stored by id and hash, revoked, last use recorded',
      withStore(async ({ apiKeys }) => {
        const created = createApiKey();
        await apiKeys.putApiKey({
          keyId: created.id,
          id: 'svc',
          hash: created.hash,
          scopes: ['read'],
          roles: [],
          expiresAt: 1_900_000_000_000,
        });
        assert.deepStrictEqual(await apiKeys.findApiKey(created.id), {
          keyId: created.id,
          id: 'svc',
          hash: created.hash,
          scopes: ['read'],
          roles: [],
          expiresAt: 1_900_000_000_000,
        });
        await apiKeys.touchApiKey(created.id, 1_800_000_000_000);
        assert.equal((await apiKeys.listApiKeys())[0]?.lastUsedAt, 1_800_000_000_000);
        assert.equal(await apiKeys.revokeApiKey(created.id), true);
        assert.equal((await apiKeys.findApiKey(created.id))?.revoked, true);
        assert.equal(await apiKeys.revokeApiKey('nope'), false);
      }),
    );

    it(
      'clients: confidential and public',
      withStore(async ({ clients }) => {
        await clients.putClient({
          clientId: 'svc',
          secretHash: 'ab'.repeat(32),
          name: 'Service',
          grants: ['client_credentials'],
          scopes: ['read'],
        });
        await clients.putClient({ clientId: 'spa', grants: ['password', 'refresh_token'], scopes: ['read'] });
        const web = {
          clientId: 'web',
          grants: ['authorization_code'],
          scopes: [],
          redirectUris: ['https://app.example/cb', 'http://127.0.0.1/cb?a=1'],
        };
        await clients.putClient(web);
        assert.deepStrictEqual(await clients.findClient('web'), web);
        await clients.putClient({ ...web, redirectUris: [] });
        assert.deepStrictEqual((await clients.findClient('web'))?.redirectUris, []);
        await clients.putClient({ clientId: 'web', grants: [], scopes: [] });
        assert.deepStrictEqual(await clients.findClient('web'), { clientId: 'web', grants: [], scopes: [] });
        await clients.removeClient('web');
        assert.deepStrictEqual(await clients.findClient('svc'), {
          clientId: 'svc',
          secretHash: 'ab'.repeat(32),
          name: 'Service',
          grants: ['client_credentials'],
          scopes: ['read'],
        });
        assert.deepStrictEqual(await clients.findClient('spa'), {
          clientId: 'spa',
          grants: ['password', 'refresh_token'],
          scopes: ['read'],
        });
        assert.deepStrictEqual(
          (await clients.listClients()).map((c) => c.clientId),
          ['spa', 'svc'],
        );
        assert.equal(await clients.removeClient('spa'), true);
        assert.equal(await clients.findClient('spa'), undefined);
      }),
    );

    it(
      'refresh tokens: one rotation wins among concurrent ones, and only its successor is stored; families revoke as a whole',
      withStore(async ({ refreshTokens }) => {
        await refreshTokens.insertRefreshToken(token(1));
        await refreshTokens.insertRefreshToken(token(2));
        assert.deepStrictEqual(await refreshTokens.findRefreshToken('hash-1'), { ...token(1), familyRevoked: false });
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            refreshTokens.rotate('hash-1', token(10 + i), `sealed-${10 + i}`, 1_800_000_000_000 + i),
          ),
        );
        const winners = results.flatMap((r, i) => (r.first ? [i] : []));
        assert.equal(winners.length, 1);
        const won = winners[0]!;
        // Every call learns the rotation that counts: its time and its sealed successor.
        assert.ok(
          results.every((r) => r.rotatedAt === 1_800_000_000_000 + won && r.sealedSuccessor === `sealed-${10 + won}`),
        );
        const rotated = await refreshTokens.findRefreshToken('hash-1');
        assert.deepStrictEqual(
          [rotated?.rotatedAt, rotated?.sealedSuccessor],
          [1_800_000_000_000 + won, `sealed-${10 + won}`],
        );
        for (let i = 0; i < 8; i++) {
          const successor = await refreshTokens.findRefreshToken(`hash-${10 + i}`);
          if (i === won) assert.deepStrictEqual(successor, { ...token(10 + i), familyRevoked: false });
          else assert.equal(successor, undefined, 'a losing rotation leaves no successor behind');
        }
        // A rotated token rotates no more.
        const again = await refreshTokens.rotate('hash-1', token(30), 'sealed-30', 1_900_000_000_000);
        assert.deepStrictEqual(again, {
          first: false,
          rotatedAt: 1_800_000_000_000 + won,
          sealedSuccessor: `sealed-${10 + won}`,
        });
        assert.equal(await refreshTokens.findRefreshToken('hash-30'), undefined);
        await refreshTokens.revokeFamily('fam-1', 1_800_000_000_001);
        await refreshTokens.revokeFamily('fam-1', 1_800_000_000_002);
        assert.equal((await refreshTokens.findRefreshToken('hash-2'))?.familyRevoked, true);
        assert.equal(await refreshTokens.findRefreshToken('hash-9'), undefined);
      }),
    );

    it(
      'refresh tokens: every family of one subject revokes at once, counted once; other subjects keep theirs',
      withStore(async ({ refreshTokens }) => {
        const of = (n: number, familyId: string, subject: string) => ({ ...token(n, familyId), subject });
        for (const record of [of(1, 'a1', 'ann'), of(2, 'a1', 'ann'), of(3, 'a2', 'ann'), of(4, 'b1', 'bob')])
          await refreshTokens.insertRefreshToken(record);
        await refreshTokens.revokeFamily('a2', 1_800_000_000_000);
        assert.equal(await refreshTokens.revokeSubject('ann', 1_800_000_000_001), 1, 'a1; a2 was revoked already');
        assert.equal(await refreshTokens.revokeSubject('ann', 1_800_000_000_002), 0);
        assert.equal(await refreshTokens.revokeSubject('nobody', 1_800_000_000_002), 0);
        for (const hash of ['hash-1', 'hash-2', 'hash-3'])
          assert.equal((await refreshTokens.findRefreshToken(hash))?.familyRevoked, true, hash);
        assert.equal((await refreshTokens.findRefreshToken('hash-4'))?.familyRevoked, false);
        // A successor stored by a rotation belongs to its subject as well.
        await refreshTokens.rotate('hash-4', of(5, 'b1', 'bob'), 'sealed', 1_800_000_000_003);
        assert.equal(await refreshTokens.revokeSubject('bob', 1_800_000_000_004), 1);
        assert.equal((await refreshTokens.findRefreshToken('hash-5'))?.familyRevoked, true);
      }),
    );

    it(
      'refresh tokens: the resources of the grant round-trip through insert and rotate; none stay absent',
      withStore(async ({ refreshTokens }) => {
        const resources = ['https://api.test', 'https://reports.test'];
        await refreshTokens.insertRefreshToken({ ...token(1), resources });
        assert.deepStrictEqual((await refreshTokens.findRefreshToken('hash-1'))?.resources, resources);
        await refreshTokens.rotate('hash-1', { ...token(2), resources }, 'sealed', 1_800_000_000_000);
        assert.deepStrictEqual((await refreshTokens.findRefreshToken('hash-2'))?.resources, resources);
        await refreshTokens.insertRefreshToken({ ...token(3), resources: [] });
        assert.deepStrictEqual((await refreshTokens.findRefreshToken('hash-3'))?.resources, []);
        await refreshTokens.insertRefreshToken(token(4));
        assert.ok(!('resources' in ((await refreshTokens.findRefreshToken('hash-4')) ?? {})));
      }),
    );

    it(
      'users: found by id as well as by name',
      withStore(async ({ users }) => {
        await users.putUser({ username: 'ann', id: 'u1', passwordHash: 'h1', scopes: ['read'], roles: ['admin'] });
        await users.putUser({ username: 'bob', id: 'u2', passwordHash: 'h2', scopes: [], roles: [] });
        assert.deepStrictEqual(await users.findUserById('u1'), {
          username: 'ann',
          id: 'u1',
          passwordHash: 'h1',
          scopes: ['read'],
          roles: ['admin'],
        });
        assert.equal((await users.findUserById('u2'))?.username, 'bob');
        assert.equal(await users.findUserById('ann'), undefined);
        await users.removeUser('ann');
        assert.equal(await users.findUserById('u1'), undefined);
      }),
    );

    it(
      'authorization codes: redeemed first once, then a replay with the same record; unknown ones undefined',
      withStore(({ authorizationCodes }) => codesRedeemOnce(authorizationCodes)),
    );
    it(
      'authorization codes: of concurrent redemptions exactly one is the first',
      withStore(({ authorizationCodes }) => codesRedeemOnceConcurrently([authorizationCodes])),
    );
    it(
      'authorization codes: an expired code is still redeemed; one past keepUntil is gone',
      withStore(({ authorizationCodes }) => codesForget(authorizationCodes)),
    );
    it(
      'codes and refresh tokens: how and when the user signed in (acr, auth_time) round-trip; none stay absent',
      withStore(async ({ authorizationCodes, refreshTokens }) => {
        const signIn = { acr: 'mfa', authTime: 1_800_000_000 };
        await authorizationCodes.insertAuthorizationCode(code(7, signIn));
        const redeemed = await authorizationCodes.redeemAuthorizationCode('code-hash-7', CODE_NOW);
        assert.deepStrictEqual([redeemed?.record.acr, redeemed?.record.authTime], ['mfa', 1_800_000_000]);
        await refreshTokens.insertRefreshToken({ ...token(1), ...signIn });
        await refreshTokens.rotate('hash-1', { ...token(2), ...signIn }, 'sealed', 1_800_000_000_000);
        const rotated = await refreshTokens.findRefreshToken('hash-2');
        assert.deepStrictEqual([rotated?.acr, rotated?.authTime], ['mfa', 1_800_000_000]);
        await refreshTokens.insertRefreshToken(token(3));
        const plain = (await refreshTokens.findRefreshToken('hash-3')) ?? {};
        assert.ok(!('acr' in plain) && !('authTime' in plain));
      }),
    );

    it(
      'codes: the DPoP key a code is bound to (RFC 9449 §10 dpop_jkt) round-trips; none stays absent',
      withStore(async ({ authorizationCodes }) => {
        const dpopJkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
        await authorizationCodes.insertAuthorizationCode(code(8, { dpopJkt }));
        await authorizationCodes.insertAuthorizationCode(code(9));
        const bound = await authorizationCodes.redeemAuthorizationCode('code-hash-8', CODE_NOW);
        assert.deepStrictEqual(bound?.record, code(8, { dpopJkt }));
        const plain = await authorizationCodes.redeemAuthorizationCode('code-hash-9', CODE_NOW);
        assert.ok(plain && !('dpopJkt' in plain.record));
      }),
    );

    it(
      'deny-list: a jti is denied until the expiry given',
      withStore(({ denyList }) => denyListBehaves(denyList)),
    );
    it(
      'nonces: remembered once, again after they expire',
      withStore(({ nonces }) => noncesBehave(nonces)),
    );
    it(
      'nonces: a digest of (key id, nonce) is kept, whatever the nonce and key id hold',
      withStore(({ nonces }) => noncesKeepDigests(nonces)),
    );
    it(
      'nonces: a live nonce is never forgotten, however many come after it',
      withStore(async ({ nonces }) => {
        await noncesKeepLive(nonces);
      }),
    );

    it(
      'idempotency ledger: claims, replays and conflicts; an answer of any characters comes back as it was kept',
      withStore(({ idempotency }) => ledgerBehaves(idempotency)),
    );
    it(
      'idempotency ledger: expired entries are taken over, swept in bounded batches, and swept as claims come',
      withStore(({ idempotency }) => ledgerForgets(idempotency)),
    );

    it(
      'JWT keys: kept in order of creation',
      withStore(async ({ jwtKeys }) => {
        await jwtKeys.addJwtKey({
          kid: 'k2',
          alg: 'EdDSA',
          privateJwk: { kty: 'OKP', d: 'x' },
          publicJwk: { kty: 'OKP', x: 'y' },
          createdAt: 2,
        });
        await jwtKeys.addJwtKey({ kid: 'k1', alg: 'EdDSA', privateJwk: { kty: 'OKP', d: 'a' }, createdAt: 1 });
        assert.deepStrictEqual(
          (await jwtKeys.listJwtKeys()).map((k) => [k.kid, k.publicJwk ?? null]),
          [
            ['k1', null],
            ['k2', { kty: 'OKP', x: 'y' }],
          ],
        );
      }),
    );
  });
}
