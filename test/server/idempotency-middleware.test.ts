import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { idempotency as fastifyIdempotency, gatehousePlugin, protect } from '../../src/adapters/fastify/index.ts';
import type { Guard } from '../../src/server/index.ts';
import { openStore } from '../../src/stores/open-store.ts';
import type { GatehouseStore } from '../../src/stores/types.ts';
import type { App } from '../support/adapter-apps.ts';
import { basicHeader, fixture } from '../support/guard-fixture.ts';
import {
  BLOB,
  expressOrders,
  fastifyOrders,
  honoOrders,
  nodeOrders,
  type Orders,
} from '../support/idempotency-apps.ts';
import { listen } from '../support/server.ts';

const alice = basicHeader('alice', 'alice-password-1');
const admin = basicHeader('admin', 'admin-password-1');
const adapters = { 'node:http': nodeOrders, Express: expressOrders, Fastify: fastifyOrders, Hono: honoOrders };

let guard: Guard;
let store: GatehouseStore;
before(async () => {
  guard = (await fixture()).guard(['basic']);
  store = await openStore('sqlite::memory:');
});
after(() => store.close());

const post = (app: App, key: string | null, body: unknown, who = alice, path = '/orders') =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: who,
      'content-type': 'application/json',
      ...(key === null ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });

for (const [name, build] of Object.entries(adapters)) {
  describe(`idempotency() on ${name}`, () => {
    let app: App;
    const orders: Orders = { effects: [], failNext: false };
    before(async () => {
      app = await build(guard, { ledger: store.idempotency }, orders);
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

describe('idempotency() options', () => {
  it('required: a POST without a key gets 400 idempotency_key_missing and takes no effect; a malformed key 400', async () => {
    const orders: Orders = { effects: [], failNext: false };
    const app = await nodeOrders(guard, { ledger: store.idempotency, required: true }, orders);
    try {
      const missing = await post(app, null, { item: 'book' });
      assert.equal(missing.status, 400);
      assert.equal((await missing.json()).code, 'idempotency_key_missing');
      // A query may carry a credential: the refusal names the path and never echoes the query.
      const withQuery = await (
        await post(app, null, { item: 'book' }, alice, '/orders?api_key=secret-in-query-42')
      ).text();
      assert.match(withQuery, /POST \/orders needs an Idempotency-Key/);
      assert.ok(!withQuery.includes('secret-in-query-42'), withQuery);
      const malformed = await post(app, 'has spaces', { item: 'book' });
      assert.equal(malformed.status, 400);
      assert.equal((await malformed.json()).code, 'idempotency_key_invalid');
      assert.equal(orders.effects.length, 0);
    } finally {
      await app.close();
    }
  });

  it('methods: only the methods named are covered', async () => {
    const orders: Orders = { effects: [], failNext: false };
    const app = await nodeOrders(guard, { ledger: store.idempotency, methods: ['PUT'] }, orders);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await post(app, 'same-key', { item: 'book' })).status, 201);
      assert.equal(orders.effects.length, 2, 'POST is not covered, so both ran');
    } finally {
      await app.close();
    }
  });
});

describe('Fastify idempotency() reads the key the app holds', () => {
  it('a key an onRequest hook sets through a new request.headers object is the key the ledger keeps', async () => {
    const app = Fastify();
    await app.register(gatehousePlugin, { guard });
    // A gateway convention: older clients send their key as X-Request-Key; the app maps it.
    app.addHook('onRequest', async (request) => {
      const legacy = request.headers['x-request-key'];
      if (typeof legacy === 'string') request.headers = { ...request.headers, 'idempotency-key': legacy };
    });
    const once = fastifyIdempotency({ ledger: store.idempotency });
    let runs = 0;
    app.post('/orders', { preHandler: [protect(guard), once.preHandler], onSend: once.onSend }, async (_r, reply) =>
      reply.code(201).send({ n: ++runs }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `${(await listen(app.server)).url}/orders`;
    try {
      const send = () =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: alice, 'content-type': 'application/json', 'x-request-key': 'mapped-1' },
          body: '{"item":"book"}',
        });
      const first = await send();
      assert.deepStrictEqual([first.status, await first.json()], [201, { n: 1 }]);
      const again = await send();
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.deepStrictEqual(await again.json(), { n: 1 });
      assert.equal(runs, 1, 'the repeat did not run');
    } finally {
      await app.close();
    }
  });
});
