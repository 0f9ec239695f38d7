/**
 * openStore's type follows its URL, so the token-service lines of docs/tokens-and-state.md compile
 * as written (docs-snippets.test.ts compiles them): a `sqlite:` store gives its `database`, a
 * `postgres://` store its `pool`, for the login counters.
 * (This file fails `tsc` when openStore returns the bare GatehouseStore.) A URL it does not know
 * is refused without echoing the credentials in it; with `create: false` a store that is not there
 * is refused without creating one.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLoginProtection, openStore, StoreNotFoundError, StoreUnreachableError } from '../../src/server/index.ts';
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

describe('openStore(url, { create: false }): a store that must exist already', () => {
  it('a sqlite: file that does not exist is a StoreNotFoundError, and nothing is created', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'gh-nostore-')), 'no');
    const url = `sqlite:${join(folder, 'such', 'x.db')}` as const;
    await assert.rejects(
      openStore(url, { create: false }),
      (error: Error) =>
        error instanceof StoreNotFoundError &&
        error.code === 'ERR_GATEHOUSE_STORE_NOT_FOUND' &&
        error.message === `no store at ${url} (the file does not exist)`,
    );
    assert.ok(!existsSync(folder), 'no folder was created');
  });

  it('an existing sqlite: store opens as before, and sqlite::memory: is always there', async () => {
    const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'x.db')}` as const;
    await (await openStore(url)).close();
    const store = await openStore(url, { create: false });
    assert.deepStrictEqual(await store.users.listUsers(), []);
    await store.close();
    await (await openStore('sqlite::memory:', { create: false })).close();
  });

  it('a postgres:// schema that holds no store is a StoreNotFoundError naming it, password masked; none is created', async (t) => {
    if (!(await requirePostgres(t))) return;
    const namespace = runSchema('open_store_absent');
    const withPassword = POSTGRES_URL.replace('postgres://postgres@', 'postgres://postgres:hunter2@');
    await assert.rejects(
      openStore(withPassword, { namespace, create: false }),
      (error: Error) =>
        error instanceof StoreNotFoundError &&
        !error.message.includes('hunter2') &&
        error.message.includes(`schema ${namespace} holds no Gatehouse tables`),
    );
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [namespace]);
    await client.end();
    assert.equal(rowCount, 0, 'no schema was created');
  });
});

describe('openStore on a dependency that does not answer', () => {
  for (const [url, options, message] of [
    [
      'postgres://app:s3cret@127.0.0.1:1/x',
      {},
      'cannot connect to the store at postgres://app@127.0.0.1:1/x (ECONNREFUSED)',
    ],
    [
      'sqlite::memory:',
      { redis: 'redis://:s3cret@127.0.0.1:1' },
      'cannot connect to Redis at redis://127.0.0.1:1 (ECONNREFUSED)',
    ],
  ] as const) {
    it(`${message.split(' at ')[0]}: a StoreUnreachableError at once, naming it without its password`, async () => {
      const started = Date.now();
      await assert.rejects(
        openStore(url, options),
        (error: Error) => error instanceof StoreUnreachableError && error.message === message,
      );
      assert.ok(Date.now() - started < 5_000);
    });
  }
});
