/** The ledger's options (required, methods), through node:http's idempotency() over a real socket. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeOrders, type Orders } from '../../support/idempotency-apps.ts';
import { alice, ledgerFixture, post } from '../../support/idempotency-over-socket.ts';

const ledger = ledgerFixture();

describe('idempotency() options', () => {
  it('required: a POST without a key gets 400 idempotency_key_missing and takes no effect; a malformed key 400', async () => {
    const orders: Orders = { effects: [], failNext: false };
    const app = await nodeOrders(ledger.guard, { ledger: ledger.store.idempotency, required: true }, orders);
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
    const app = await nodeOrders(ledger.guard, { ledger: ledger.store.idempotency, methods: ['PUT'] }, orders);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await post(app, 'same-key', { item: 'book' })).status, 201);
      assert.equal(orders.effects.length, 2, 'POST is not covered, so both ran');
    } finally {
      await app.close();
    }
  });
});
