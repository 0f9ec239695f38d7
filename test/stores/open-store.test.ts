/**
 * openStore's type follows its URL, so the token-service lines of docs/tokens-and-state.md compile
 * as written (docs-snippets.test.ts compiles them): a `sqlite:` store gives its `database`, a
 * `postgres://` store its `pool`, for the login counters.
 * (This file fails `tsc` when openStore returns the bare GatehouseStore.) A URL it does not know
 * is refused without echoing the credentials in it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoginProtection, openStore } from '../../src/server/index.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

describe("openStore's handle for the login counters", () => {
  it('a sqlite: store counts sign-ins in its own database', async (t) => {
    const store = await openStore('sqlite::memory:');
    t.after(() => store.close());
    const protection = await createLoginProtection({ backend: { sqlite: store.database }, maxConsecutiveFailures: 1 });
    assert.equal(await protection.attempt('ann', '10.0.0.1'), undefined);
    await protection.failed('ann', '10.0.0.1'); // a wrong password
    assert.ok((await protection.check('ann', '10.0.0.1')) !== undefined, 'locked after one failure');
    const rows = store.database.prepare('SELECT count(*) AS n FROM gatehouse_rate_limits').get() as { n: number };
    assert.ok(rows.n > 0, "the counters are in the store's database");
  });

  it('a postgres:// store counts sign-ins through its pool', async (t) => {
    if (!(await requirePostgres(t))) return;
    const namespace = runSchema('open_store_backend');
    const store = await openStore(POSTGRES_URL as `postgres://${string}`, { namespace });
    t.after(async () => {
      await store.close();
      await dropSchema(namespace);
    });
    const protection = await createLoginProtection({
      backend: { postgres: store.pool },
      maxConsecutiveFailures: 1,
      prefix: namespace,
    });
    assert.equal(await protection.attempt('ann', '10.0.0.1'), undefined);
    await protection.failed('ann', '10.0.0.1'); // a wrong password
    assert.ok((await protection.check('ann', '10.0.0.1')) !== undefined, 'locked after one failure');
  });
});

describe('openStore', () => {
  it('refuses a store URL it does not know, without echoing credentials', async () => {
    await assert.rejects(
      openStore('mysql://root:hunter2@db/x'),
      (error: Error) => !error.message.includes('hunter2') && /use sqlite:PATH/.test(error.message),
    );
  });
});
