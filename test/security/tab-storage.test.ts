/**
 * The tab-shared token store's fallback lock (storage-lock.ts) lives in localStorage, which every
 * script of the origin writes, and which outlives the tab that wrote it. A lease no live tab could
 * have written (one that ends further ahead than a lease ever lasts: a buggy peer's, a forged one,
 * one written before the clock was set back) must not hold every tab's refresh off for good.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tabSharedTokenStore, tokenSource } from '../../src/client/index.ts';
import { withStorageLock } from '../../src/client/tokens/storage-lock.ts';
import { mapStorage } from '../support/map-storage.ts';

const times = { lockTimeoutMs: 1_000, staleLockMs: 200, settleMs: 20 };

describe('a poisoned fallback tab lock', () => {
  it('a lease that ends a year from now is taken over, not waited on until every refresh fails', async () => {
    const storage = mapStorage();
    storage.setItem('app:lock:me', JSON.stringify({ id: 'stuck', until: Date.now() + 365 * 86_400_000 }));
    const ran = await withStorageLock(storage, 'app:lock:me', times, async () => 'refreshed');
    assert.equal(ran, 'refreshed');
    assert.equal(storage.map.has('app:lock:me'), false, 'the lock is released after');
  });

  it('a live lease of another tab is still waited on', async () => {
    const storage = mapStorage();
    let holding = true;
    const order: string[] = [];
    const first = withStorageLock(storage, 'app:lock:me', times, async () => {
      order.push('first');
      await new Promise((resolve) => setTimeout(resolve, 300)); // past staleLockMs: the lease is renewed
      holding = false;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await withStorageLock(storage, 'app:lock:me', times, async () => {
      order.push(holding ? 'second while the first held it' : 'second');
    });
    await first;
    assert.deepEqual(order, ['first', 'second']);
  });

  it('a token source over a store whose lock key holds such a lease still refreshes', async () => {
    const storage = mapStorage();
    storage.setItem('app:lock:default', JSON.stringify({ id: 'stuck', until: 8.64e15 }));
    // Node has Web Locks; hide them, as a browser without them has none.
    const navigator = globalThis.navigator;
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
    try {
      const source = tokenSource(async () => ({ accessToken: 'fresh', expiresAt: Date.now() + 60_000 }), {
        store: tabSharedTokenStore({ name: 'app', storage, lockTimeoutMs: 1_000, staleLockMs: 200 }),
      });
      assert.equal((await source.getToken()).accessToken, 'fresh');
    } finally {
      Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true });
    }
  });
});
