import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { idempotency as fastifyIdempotency, gatehousePlugin, protect } from '../../../src/adapters/fastify/index.ts';
import { fastifyOrders } from '../../support/idempotency-apps.ts';
import { alice, describeIdempotencyOverSocket, ledgerFixture } from '../../support/idempotency-over-socket.ts';
import { listen } from '../../support/server.ts';

describeIdempotencyOverSocket('Fastify', fastifyOrders);

const ledger = ledgerFixture();

describe('Fastify idempotency() reads the key the app holds', () => {
  it('a key an onRequest hook sets through a new request.headers object is the key the ledger keeps', async () => {
    const app = Fastify();
    await app.register(gatehousePlugin, { guard: ledger.guard });
    // A gateway convention: older clients send their key as X-Request-Key; the app maps it.
    app.addHook('onRequest', async (request) => {
      const legacy = request.headers['x-request-key'];
      if (typeof legacy === 'string') request.headers = { ...request.headers, 'idempotency-key': legacy };
    });
    const once = fastifyIdempotency({ ledger: ledger.store.idempotency });
    let runs = 0;
    app.post(
      '/orders',
      { preHandler: [protect(ledger.guard), once.preHandler], onSend: once.onSend },
      async (_r, reply) => reply.code(201).send({ n: ++runs }),
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
