/**
 * tabSharedTokenStore() in Node, which has Web Locks and BroadcastChannel as browsers do: stores
 * made over one storage stand for tabs. (Five Chromium pages, and the fallback lock without Web
 * Locks: test/reliability/browser-tabs.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Token, tabSharedTokenStore, tokenSource } from '../../../src/client/index.ts';
import { mapStorage } from '../../support/map-storage.ts';

const token = (n: number, expiresAt = Date.now() + 3_600_000): Token => ({
  accessToken: `at-${n}`,
  refreshToken: `rt-${n}`,
  expiresAt,
});
let names = 0;
const name = () => `test-${process.pid}-${names++}`;

describe('tabSharedTokenStore', () => {
  it('keeps, overwrites and deletes tokens in the storage, and reads an unreadable entry as none', async () => {
    const storage = mapStorage();
    const store = tabSharedTokenStore({ name: 'app', storage });
    assert.equal(await store.get('me'), undefined);
    // One token, made once: token() dates it from the clock, which may tick between two calls.
    const first = token(1);
    await store.set('me', first);
    assert.deepEqual(await store.get('me'), first);
    assert.ok(storage.map.has('app:token:me'), 'kept under the name and key');
    await store.set('me', token(2));
    assert.equal((await store.get('me'))?.accessToken, 'at-2');
    storage.setItem('app:token:me', '{not json');
    assert.equal(await store.get('me'), undefined);
    await store.delete('me');
    assert.equal(storage.map.size, 0);
  });

  it('five tabs holding an expired token make one fetch between them, and all get its token', async () => {
    const storage = mapStorage();
    const n = name();
    await tabSharedTokenStore({ name: n, storage }).set('default', token(0, Date.now() - 1000));
    let fetches = 0;
    const tabs = Array.from({ length: 5 }, () =>
      tokenSource(
        async ({ current }) => {
          fetches++;
          assert.equal(current?.refreshToken, 'rt-0', 'the refresh starts from the stored token');
          await new Promise((resolve) => setTimeout(resolve, 50));
          return token(1);
        },
        { store: tabSharedTokenStore({ name: n, storage }) },
      ),
    );
    const got = await Promise.all(tabs.map((tab) => tab.getToken()));
    assert.equal(fetches, 1);
    assert.deepEqual(
      got.map((t) => t.accessToken),
      Array(5).fill('at-1'),
    );
  });

  it('hands a new token and a sign-out to the other tabs over the BroadcastChannel, with no storage', async () => {
    const n = name();
    const [a, b] = [tabSharedTokenStore({ name: n, storage: null }), tabSharedTokenStore({ name: n, storage: null })];
    const seen: (string | undefined)[] = [];
    b.watch!('me', (t) => seen.push(t?.accessToken));
    await a.set('me', token(3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await b.get('me'))?.accessToken, 'at-3', 'the open tab holds it');
    await a.delete('me');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(seen, ['at-3', undefined]);
    assert.equal(await b.get('me'), undefined);
  });

  it("a token source over it takes another tab's token without fetching", async () => {
    const storage = mapStorage();
    const n = name();
    const source = tokenSource(async () => token(9), { store: tabSharedTokenStore({ name: n, storage }) });
    assert.equal((await source.getToken()).accessToken, 'at-9');
    await tabSharedTokenStore({ name: n, storage }).set('default', token(4));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await source.getToken()).accessToken, 'at-4');
  });

  it('refuses a name that is not a plain identifier', () => {
    assert.throws(() => tabSharedTokenStore({ name: 'a b', storage: null }), /name must be/);
    assert.throws(() => tabSharedTokenStore({ lockTimeoutMs: 0, storage: null }), /lockTimeoutMs/);
  });
});
