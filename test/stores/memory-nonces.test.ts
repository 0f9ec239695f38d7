import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { memoryNonces, NonceStoreFullError } from '../../src/server/index.ts';
import { noncesKeepLive } from '../support/store-concerns.ts';

describe('memory nonces, bounded', () => {
  it('when full of live nonces, refuses new ones (and says so once) rather than forget one', async () => {
    const told: NonceStoreFullError[] = [];
    const nonces = memoryNonces({ maxEntries: 100, maxEntriesPerKey: 100, onFull: (error) => told.push(error) });
    assert.ok((await noncesKeepLive(nonces, 200)) >= 100, 'the flood beyond its size is refused');
    assert.equal(told.length, 1, 'told once for the whole episode');
    assert.ok(told[0]!.retryAfterMs > 59_000 && told[0]!.retryAfterMs <= 60_000, 'until the first nonce expires');
  });

  it('makes room only as nonces expire, whatever their order', async () => {
    const nonces = memoryNonces({ maxEntries: 3, maxEntriesPerKey: 3, onFull: () => {} });
    const remember = (nonce: string, ttlMs: number) => nonces.remember('key-a', nonce, ttlMs);
    assert.equal(await remember('long', 60_000), true);
    assert.equal(await remember('short-1', 50), true);
    assert.equal(await remember('short-2', 50), true);
    const full = await remember('next', 60_000).catch((error: unknown) => error);
    assert.ok(full instanceof NonceStoreFullError && full.retryAfterMs <= 50, 'full until the short ones expire');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await remember('next', 60_000), true, 'room made by the expired nonces behind a live one');
    assert.equal(await remember('short-1', 50), true, 'an expired nonce may be used again');
    await assert.rejects(remember('more', 60_000), NonceStoreFullError);
    assert.equal(await remember('long', 60_000), false);
    assert.equal(await remember('next', 60_000), false);
  });

  it("gives each key its own share: one key's flood is refused for that key, never for another", async () => {
    const told: NonceStoreFullError[] = [];
    const nonces = memoryNonces({ maxEntries: 400, onFull: (error) => told.push(error) });
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      try {
        assert.equal(await nonces.remember('filler', `flood-${i}`, 60_000), true);
      } catch (error) {
        assert.ok(error instanceof NonceStoreFullError && error.retryAfterMs > 59_000, 'until its first nonce expires');
        refused++;
      }
    }
    assert.equal(refused, 300, 'the filler holds a quarter of the room (the default share), no more');
    for (let key = 0; key < 3; key++) {
      for (let i = 0; i < 100; i++) assert.equal(await nonces.remember(`tenant-${key}`, `n-${i}`, 60_000), true);
    }
    assert.equal(await nonces.remember('tenant-0', 'n-0', 60_000), false, 'and replays are still refused');
    await assert.rejects(nonces.remember('late-tenant', 'n-0', 60_000), NonceStoreFullError, 'the whole room is used');
    assert.equal(told.length, 1, "a full share is that key's refusal; only the full cache is reported");
  });

  it('holds a fixed size per nonce, however long the nonces are', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const nonces = memoryNonces({ maxEntries: 2000, maxEntriesPerKey: 2000 });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2000; i++) await nonces.remember('tenant', `${i}-`.padEnd(16_000, 'n'), 60_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Kept as given, the nonces alone were 32 MB; a digest each is a few hundred bytes at most.
    assert.ok(grown < 2000 * 1000, `heap grew ${grown} bytes for 2000 nonces of 16,000 characters`);
    assert.equal(await nonces.remember('tenant', '0-'.padEnd(16_000, 'n'), 60_000), false, 'and each is still known');
  });
});
