/**
 * What every adapter's idempotency() must do, over a real socket: the same order route
 * (idempotency-apps.ts) on each framework, behind the guard, on a SQLite ledger.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Guard } from '../../src/server/index.ts';
import { openStore } from '../../src/stores/open-store.ts';
import type { GatehouseStore } from '../../src/stores/types.ts';
import type { App } from './adapter-apps.ts';
import { basicHeader, fixture } from './guard-fixture.ts';
import { BLOB, type nodeOrders, type Orders } from './idempotency-apps.ts';

export const alice = basicHeader('alice', 'alice-password-1');
const admin = basicHeader('admin', 'admin-password-1');

/** The guard (Basic) and a SQLite ledger, opened before the calling file's tests and closed after them. */
export function ledgerFixture(): { readonly guard: Guard; readonly store: GatehouseStore } {
  const held = {} as { guard: Guard; store: GatehouseStore };
  before(async () => {
    held.guard = (await fixture()).guard(['basic']);
    held.store = await openStore('sqlite::memory:');
  });
  after(() => held.store.close());
  return held;
}

/** POSTs `body` as JSON with `who`'s Basic credentials and, unless null, an Idempotency-Key. */
export const post = (app: App, key: string | null, body: unknown, who = alice, path = '/orders') =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: who,
      'content-type': 'application/json',
      ...(key === null ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });

/** The ledger's answers through one adapter's order route, over a real socket. */
export function describeIdempotencyOverSocket(name: string, build: typeof nodeOrders): void {
  const ledger = ledgerFixture();

  describe(`idempotency() on ${name}`, () => {
    let app: App;
    const orders: Orders = { effects: [], failNext: false };
    before(async () => {
      app = await build(ledger.guard, { ledger: ledger.store.idempotency }, orders);
    });
    after(() => app.close());
    const key = (label: string) => `${name}-${label}-${crypto.randomUUID()}`;

    it('runs a POST once; a repeat gets the same answer, marked as replayed, without Set-Cookie', async () => {
      const k = key('once');
      const first = await post(app, k, { item: 'book' });
      const firstBody = await first.json();
      const before = orders.effects.length;
      const again = await post(app, k, { item: 'book' });
      assert.equal(first.status, 201);
      assert.equal(again.status, 201);
      assert.deepStrictEqual(await again.json(), firstBody);
      assert.equal(again.headers.get('x-order'), first.headers.get('x-order'));
      assert.match(again.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(first.headers.get('idempotent-replayed'), null);
      assert.ok(first.headers.get('set-cookie'), 'the first answer sets its cookie');
      assert.equal(again.headers.get('set-cookie'), null, 'a session cookie is never replayed');
      assert.equal(orders.effects.length, before, 'the repeat took no effect');
    });

    it('refuses the same key with another body: 422 idempotency_key_reused', async () => {
      const k = key('reused');
      assert.equal((await post(app, k, { item: 'book' })).status, 201);
      const count = orders.effects.length;
      const other = await post(app, k, { item: 'lamp' });
      assert.equal(other.status, 422);
      assert.equal(other.headers.get('content-type'), 'application/problem+json');
      assert.equal((await other.json()).code, 'idempotency_key_reused');
      assert.equal(orders.effects.length, count);
    });

    it('answers a duplicate that arrives while the first runs with 409 and Retry-After; the first still completes once', async () => {
      const k = key('race');
      let open!: () => void;
      orders.gate = new Promise((resolve) => {
        open = resolve;
      });
      const count = orders.effects.length;
      const first = post(app, k, { item: 'chair' });
      // Wait until the first run holds the key (it is waiting at the gate).
      let duplicate: Response;
      for (;;) {
        duplicate = await post(app, k, { item: 'chair' });
        if (duplicate.status === 409) break;
        await duplicate.body?.cancel();
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(duplicate.headers.get('retry-after'), '1');
      assert.equal((await duplicate.json()).code, 'idempotency_key_in_use');
      open();
      delete orders.gate;
      assert.equal((await first).status, 201);
      const replay = await post(app, k, { item: 'chair' });
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(orders.effects.length, count + 1, 'one effect for three requests');
    });

    it('releases the key when the handler fails, so the retry runs', async () => {
      const k = key('fail');
      orders.failNext = true;
      const count = orders.effects.length;
      const failed = await post(app, k, { item: 'desk' });
      assert.equal(failed.status, 500);
      await failed.body?.cancel();
      const retry = await post(app, k, { item: 'desk' });
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), null);
      assert.equal(orders.effects.length, count + 1);
    });

    it("keeps keys per principal: one caller's key never replays another caller's answer", async () => {
      const k = key('shared');
      const a = await (await post(app, k, { item: 'pen' }, alice)).json();
      const b = await post(app, k, { item: 'pen' }, admin);
      assert.equal(b.status, 201);
      assert.equal(b.headers.get('idempotent-replayed'), null);
      assert.deepStrictEqual([a.who, (await b.json()).who], ['u-alice', 'u-admin']);
    });

    it('lets requests without a key through, each taking effect', async () => {
      const count = orders.effects.length;
      for (let i = 0; i < 2; i++) assert.equal((await post(app, null, { item: 'cup' })).status, 201);
      assert.equal(orders.effects.length, count + 2);
    });

    it('replays a binary answer byte for byte', async () => {
      const k = key('blob');
      const first = new Uint8Array(await (await post(app, k, {}, alice, '/blob')).arrayBuffer());
      const again = await post(app, k, {}, alice, '/blob');
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.headers.get('content-type'), 'application/octet-stream');
      assert.deepStrictEqual(new Uint8Array(await again.arrayBuffer()), BLOB);
      assert.deepStrictEqual(first, BLOB);
    });
  });
}
