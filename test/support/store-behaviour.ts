/**
 * The cases every store backend must pass (memory, SQLite, Postgres), which each
 * test/stores/<backend>.test.ts runs for its backend; the concerns a Redis backend offers too are
 * checked by the same functions.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  createApiKey,
  type DenyList,
  type GatehouseStore,
  type IdempotencyLedger,
  type NonceStore,
  NonceStoreFullError,
  type RefreshTokenRecord,
} from '../../src/server/index.ts';
import { LEDGER_SWEEP_EVERY } from '../../src/stores/ledger-sweep.ts';

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

export async function denyListBehaves(denyList: DenyList): Promise<void> {
  await denyList.deny('jti-live', Date.now() + 60_000);
  await denyList.deny('jti-short', Date.now() + 150);
  await denyList.deny('jti-past', Date.now() - 1000);
  assert.equal(await denyList.isDenied('jti-live'), true);
  assert.equal(await denyList.isDenied('jti-short'), true);
  assert.equal(await denyList.isDenied('jti-past'), false);
  assert.equal(await denyList.isDenied('jti-other'), false);
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(await denyList.isDenied('jti-short'), false);
}

export async function noncesBehave(nonces: NonceStore): Promise<void> {
  assert.equal(await nonces.remember('key-a', 'n1', 60_000), true);
  assert.equal(await nonces.remember('key-a', 'n1', 60_000), false);
  assert.equal(await nonces.remember('key-b', 'n1', 60_000), true, 'a nonce is remembered per key');
  assert.equal(await nonces.remember('key-a', 'n2', 100), true);
  const concurrent = await Promise.all(Array.from({ length: 5 }, () => nonces.remember('key-a', 'n3', 60_000)));
  assert.equal(concurrent.filter(Boolean).length, 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await nonces.remember('key-a', 'n2', 100), true);
}

/**
 * What a store keeps is a fixed-size digest of (key id, nonce) taken as a pair: a nonce of any
 * length or bytes is held (Postgres's btree refused long keys, its text refused 0x00), and a key id
 * with ':' in it cannot collide with another key's nonce.
 */
export async function noncesKeepDigests(nonces: NonceStore): Promise<void> {
  const long = 'n'.repeat(16_000);
  assert.equal(await nonces.remember('key-a', long, 60_000), true);
  assert.equal(await nonces.remember('key-a', long, 60_000), false, 'a long nonce replayed is refused');
  assert.equal(await nonces.remember('key-a', `${long}x`, 60_000), true, 'one character more is another nonce');
  assert.equal(await nonces.remember('key-a', 'nul\u0000\u00e9\ud800', 60_000), true);
  assert.equal(await nonces.remember('key-a', 'nul\u0000\u00e9\ud800', 60_000), false);
  // Joined as `${keyId}:${nonce}`, these two were one entry.
  assert.equal(await nonces.remember('tenant:a', 'b-nonce', 60_000), true);
  assert.equal(await nonces.remember('tenant', 'a:b-nonce', 60_000), true, "a key id with ':' collides with no other");
}

export async function ledgerBehaves(ledger: IdempotencyLedger): Promise<void> {
  const now = Date.now();
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-a', now, 60_000), { state: 'new' });
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-a', now, 60_000), { state: 'pending' });
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-b', now, 60_000), { state: 'conflict' });
  // Every code point a string can hold, U+0000 and lone surrogates included (Postgres text refuses 0x00).
  const body = `${String.fromCharCode(...Array.from({ length: 0x100 }, (_, i) => i))}\ud800 \udfff \u{1f600}"\\`;
  const response = { status: 201, headers: { 'content-type': 'text/plain', 'x-note': 'a\u0001b' }, body };
  await ledger.complete('k1', response, now, 60_000);
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-a', now, 60_000), { state: 'done', response });
  await ledger.release('k1'); // a kept answer is not released
  assert.equal((await ledger.claim('k1', 'fp-a', now, 60_000)).state, 'done');
  assert.deepStrictEqual(await ledger.claim('k2', 'fp-a', now, 60_000), { state: 'new' });
  await ledger.release('k2');
  assert.deepStrictEqual(await ledger.claim('k2', 'fp-a', now, 60_000), { state: 'new' });
  const concurrent = await Promise.all(Array.from({ length: 6 }, () => ledger.claim('k3', 'fp-a', now, 60_000)));
  assert.equal(concurrent.filter((c) => c.state === 'new').length, 1);
}

export async function ledgerForgets(ledger: IdempotencyLedger): Promise<void> {
  const start = Date.now();
  // Taken over once expired: a run that died (pending), an answer kept long enough (done).
  await ledger.claim('dead-run', 'fp-a', start, 10);
  await ledger.claim('old-answer', 'fp-a', start, 10);
  await ledger.complete('old-answer', { status: 200, headers: {}, body: 'old' }, start, 10);
  assert.deepStrictEqual(await ledger.claim('dead-run', 'fp-b', start + 20, 60_000), { state: 'new' });
  assert.deepStrictEqual(await ledger.claim('old-answer', 'fp-b', start + 20, 60_000), { state: 'new' });
  // A sweep removes expired entries only, at most `limit` of them at a time.
  for (let i = 0; i < 25; i++) {
    await ledger.claim(`expired-${i}`, 'fp-a', start, 10);
    if (i % 2) await ledger.complete(`expired-${i}`, { status: 200, headers: {}, body: 'x' }, start, 10);
  }
  await ledger.claim('live', 'fp-a', start, 60_000);
  await ledger.complete('live', { status: 200, headers: {}, body: 'live' }, start, 60_000);
  const later = start + 20;
  assert.equal(await ledger.sweep(later, 10), 10);
  assert.equal(await ledger.sweep(later, 1000), 15);
  assert.equal(await ledger.sweep(later, 1000), 0);
  assert.deepStrictEqual(await ledger.claim('live', 'fp-a', later, 60_000), {
    state: 'done',
    response: { status: 200, headers: {}, body: 'live' },
  });
  // Claims sweep on their own: within LEDGER_SWEEP_EVERY claims, expired entries are gone.
  for (let i = 0; i < 5; i++) await ledger.claim(`expired-again-${i}`, 'fp-a', later, 10);
  const after = later + 20;
  for (let i = 0; i < LEDGER_SWEEP_EVERY; i++) await ledger.claim(`fresh-${i}`, 'fp-a', after, 60_000);
  assert.equal(await ledger.sweep(after, 1000), 0);
  assert.equal((await ledger.claim('live', 'fp-a', after, 60_000)).state, 'done');
}

/**
 * A flood of fresh nonces (another key holder's own signed requests) must not push out a nonce
 * still inside its window, or its request could be replayed. A store may refuse new nonces when it
 * is full (NonceStoreFullError, answered 503), never forget a live one; expired ones may go.
 */
export async function noncesKeepLive(nonces: NonceStore, flood = 1500): Promise<number> {
  assert.equal(await nonces.remember('key-a', 'victim', 60_000), true);
  assert.equal(await nonces.remember('key-a', 'short', 50), true);
  await new Promise((r) => setTimeout(r, 100));
  let refused = 0;
  for (let i = 0; i < flood; i++) {
    try {
      await nonces.remember('key-a', `flood-${i}`, 60_000);
    } catch (error) {
      if (!(error instanceof NonceStoreFullError)) throw error;
      refused++;
    }
  }
  assert.equal(await nonces.remember('key-a', 'victim', 60_000), false, 'the live nonce is still remembered');
  return refused;
}
