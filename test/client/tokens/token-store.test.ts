import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileTokenStore } from '../../../src/client/file-store.ts';
import { memoryTokenStore, type Token, type TokenStore, tokenSource } from '../../../src/client/index.ts';
import { redisTokenStore } from '../../../src/client/redis-store.ts';
import { connectRedis, runPrefix } from '../../support/services.ts';

const token = (n: number): Token => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresAt: 1_900_000_000_000 + n,
  tokenType: 'Bearer',
});

/** One behaviour suite, run against every store. */
function behaves(
  name: string,
  make: (t: import('node:test').TestContext) => Promise<{ store: TokenStore; done: () => Promise<void> } | undefined>,
) {
  describe(`${name}: the TokenStore behaviour`, () => {
    it('returns undefined for a key never set', async (t) => {
      const made = await make(t);
      if (!made) return;
      assert.equal(await made.store.get('missing'), undefined);
      await made.done();
    });

    it('keeps what was set, overwrites it, and deletes it, key by key', async (t) => {
      const made = await make(t);
      if (!made) return;
      const { store } = made;
      await store.set('a', token(1));
      await store.set('b', token(2));
      assert.deepStrictEqual(await store.get('a'), token(1));
      await store.set('a', token(3));
      assert.deepStrictEqual(await store.get('a'), token(3));
      assert.deepStrictEqual(await store.get('b'), token(2));
      await store.delete('a');
      assert.equal(await store.get('a'), undefined);
      assert.deepStrictEqual(await store.get('b'), token(2));
      await made.done();
    });

    it('lets a token source pick up a token another source stored', async (t) => {
      const made = await make(t);
      if (!made) return;
      await made.store.set('default', token(7));
      const source = tokenSource(async () => assert.fail('no fetch needed'), { store: made.store });
      assert.equal((await source.getToken()).accessToken, 'access-7');
      await made.done();
    });
  });
}

behaves('memoryTokenStore', async () => ({ store: memoryTokenStore(), done: async () => {} }));
behaves('fileTokenStore', async () => ({
  store: fileTokenStore(join(mkdtempSync(join(tmpdir(), 'gh-')), 'tokens.json')),
  done: async () => {},
}));
behaves('redisTokenStore', async (t) => {
  const redis = await connectRedis(t);
  if (!redis) return undefined;
  return { store: redisTokenStore(redis, { prefix: runPrefix('store') }), done: async () => void redis.quit() };
});
