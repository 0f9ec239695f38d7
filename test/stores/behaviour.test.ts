/** One behaviour suite, run against every store implementation that offers each concern. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  createApiKey,
  type DenyList,
  type GatehouseStore,
  memoryNonces,
  type NonceStore,
  NonceStoreFullError,
  openStore,
  type RefreshTokenRecord,
} from '../../src/server/index.ts';
import { redisDenyList, redisNonces } from '../../src/stores/redis.ts';
import { connectRedis, dropSchema, POSTGRES_URL, requirePostgres, runPrefix, runSchema } from '../support/services.ts';

type Opened = { store: GatehouseStore; done: () => Promise<void> };
const stores: Record<string, (t: TestContext) => Promise<Opened | undefined>> = {
  memory: async () => {
    const store = await openStore('memory:');
    return { store, done: () => store.close() };
  },
  'sqlite (file)': async () => {
    const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db')}`);
    return { store, done: () => store.close() };
  },
  'sqlite (:memory:)': async () => {
    const store = await openStore('sqlite::memory:');
    return { store, done: () => store.close() };
  },
  postgres: async (t) => {
    if (!(await requirePostgres(t))) return undefined;
    const schema = runSchema('behaviour');
    const store = await openStore(POSTGRES_URL, { namespace: schema });
    return {
      store,
      done: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
};

const token = (n: number, familyId = 'fam-1'): RefreshTokenRecord => ({
  hash: `hash-${n}`,
  familyId,
  subject: 'u1',
  clientId: 'app',
  scope: 'read write',
  roles: ['member'],
  createdAt: 1_700_000_000_000 + n,
  expiresAt: 1_900_000_000_000,
});

for (const [name, open] of Object.entries(stores)) {
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
      'refresh tokens: one rotation wins among concurrent ones; families revoke as a whole',
      withStore(async ({ refreshTokens }) => {
        await refreshTokens.insertRefreshToken(token(1));
        await refreshTokens.insertRefreshToken(token(2));
        assert.deepStrictEqual(await refreshTokens.findRefreshToken('hash-1'), { ...token(1), familyRevoked: false });
        const results = await Promise.all(
          Array.from({ length: 8 }, () => refreshTokens.markRotated('hash-1', 1_800_000_000_000)),
        );
        assert.equal(results.filter((r) => r.first).length, 1);
        assert.ok(results.every((r) => r.rotatedAt === 1_800_000_000_000));
        assert.equal((await refreshTokens.findRefreshToken('hash-1'))?.rotatedAt, 1_800_000_000_000);
        await refreshTokens.revokeFamily('fam-1', 1_800_000_000_001);
        await refreshTokens.revokeFamily('fam-1', 1_800_000_000_002);
        assert.equal((await refreshTokens.findRefreshToken('hash-2'))?.familyRevoked, true);
        assert.equal(await refreshTokens.findRefreshToken('hash-9'), undefined);
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
      'nonces: a live nonce is never forgotten, however many come after it',
      withStore(async ({ nonces }) => {
        await noncesKeepLive(nonces);
      }),
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

async function denyListBehaves(denyList: DenyList): Promise<void> {
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

async function noncesBehave(nonces: NonceStore): Promise<void> {
  assert.equal(await nonces.remember('n1', 60_000), true);
  assert.equal(await nonces.remember('n1', 60_000), false);
  assert.equal(await nonces.remember('n2', 100), true);
  const concurrent = await Promise.all(Array.from({ length: 5 }, () => nonces.remember('n3', 60_000)));
  assert.equal(concurrent.filter(Boolean).length, 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await nonces.remember('n2', 100), true);
}

/**
 * A flood of fresh nonces (another key holder's own signed requests) must not push out a nonce
 * still inside its window, or its request could be replayed. A store may refuse new nonces when it
 * is full (NonceStoreFullError, answered 503), never forget a live one; expired ones may go.
 */
async function noncesKeepLive(nonces: NonceStore, flood = 1500): Promise<number> {
  assert.equal(await nonces.remember('victim', 60_000), true);
  assert.equal(await nonces.remember('short', 50), true);
  await new Promise((r) => setTimeout(r, 100));
  let refused = 0;
  for (let i = 0; i < flood; i++) {
    try {
      await nonces.remember(`flood-${i}`, 60_000);
    } catch (error) {
      if (!(error instanceof NonceStoreFullError)) throw error;
      refused++;
    }
  }
  assert.equal(await nonces.remember('victim', 60_000), false, 'the live nonce is still remembered');
  return refused;
}

describe('memory nonces, bounded', () => {
  it('when full of live nonces, refuses new ones (and says so once) rather than forget one', async () => {
    const told: NonceStoreFullError[] = [];
    const nonces = memoryNonces({ maxEntries: 100, onFull: (error) => told.push(error) });
    assert.ok((await noncesKeepLive(nonces, 200)) >= 100, 'the flood beyond its size is refused');
    assert.equal(told.length, 1, 'told once for the whole episode');
    assert.ok(told[0]!.retryAfterMs > 59_000 && told[0]!.retryAfterMs <= 60_000, 'until the first nonce expires');
  });

  it('makes room only as nonces expire, whatever their order', async () => {
    const nonces = memoryNonces({ maxEntries: 3, onFull: () => {} });
    assert.equal(await nonces.remember('long', 60_000), true);
    assert.equal(await nonces.remember('short-1', 50), true);
    assert.equal(await nonces.remember('short-2', 50), true);
    const full = await nonces.remember('next', 60_000).catch((error: unknown) => error);
    assert.ok(full instanceof NonceStoreFullError && full.retryAfterMs <= 50, 'full until the short ones expire');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await nonces.remember('next', 60_000), true, 'room made by the expired nonces behind a live one');
    assert.equal(await nonces.remember('short-1', 50), true, 'an expired nonce may be used again');
    await assert.rejects(nonces.remember('more', 60_000), NonceStoreFullError);
    assert.equal(await nonces.remember('long', 60_000), false);
    assert.equal(await nonces.remember('next', 60_000), false);
  });
});

describe('redis state', () => {
  it('deny-list: a jti is denied until the expiry given', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    await denyListBehaves(redisDenyList(redis, { prefix: runPrefix('deny') }));
    await redis.quit();
  });
  it('nonces: remembered once, again after they expire', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    await noncesBehave(redisNonces(redis, { prefix: runPrefix('nonce') }));
    await redis.quit();
  });
  it('nonces: a live nonce is never forgotten, however many come after it', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    await noncesKeepLive(redisNonces(redis, { prefix: runPrefix('nonce-flood') }));
    await redis.quit();
  });
});

describe('migrations', () => {
  it('run again on an existing SQLite file without changing anything', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db');
    const first = await openStore(`sqlite:${file}`);
    await first.users.putUser({ username: 'ann', id: 'u1', passwordHash: 'h', scopes: [], roles: [] });
    await first.close();
    const second = await openStore(`sqlite:${file}`);
    assert.equal((await second.users.findUserByName('ann'))?.id, 'u1');
    await second.close();
  });

  it('run concurrently on one Postgres schema without failing', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('migrate');
    const opened = await Promise.all([
      openStore(POSTGRES_URL, { namespace: schema }),
      openStore(POSTGRES_URL, { namespace: schema }),
    ]);
    await opened[0].users.putUser({ username: 'ann', id: 'u1', passwordHash: 'h', scopes: [], roles: [] });
    assert.equal((await opened[1].users.findUserByName('ann'))?.id, 'u1');
    await Promise.all(opened.map((s) => s.close()));
    await dropSchema(schema);
  });

  it('refuses a store URL it does not know, without echoing credentials', async () => {
    await assert.rejects(
      openStore('mysql://root:hunter2@db/x'),
      (error: Error) => !error.message.includes('hunter2') && /use sqlite:PATH/.test(error.message),
    );
  });
});
