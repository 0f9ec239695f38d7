/** Login protection behaves the same on every counter backend. */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { type CounterBackend, createLoginProtection } from '../../src/server/index.ts';
import { connectRedis, dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

const backends: Record<
  string,
  (t: TestContext) => Promise<{ backend: CounterBackend; done: () => Promise<void> } | undefined>
> = {
  memory: async () => ({ backend: { memory: true }, done: async () => {} }),
  sqlite: async () => {
    const db = new DatabaseSync(':memory:');
    return { backend: { sqlite: db }, done: async () => db.close() };
  },
  postgres: async (t) => {
    if (!(await requirePostgres(t))) return undefined;
    const schema = runSchema('limits');
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await pool.query(`CREATE SCHEMA "${schema}"`);
    return {
      backend: { postgres: pool },
      done: async () => {
        await pool.end();
        await dropSchema(schema);
      },
    };
  },
  redis: async (t) => {
    const redis = await connectRedis(t);
    return redis && { backend: { redis }, done: async () => void redis.quit() };
  },
};

for (const [name, open] of Object.entries(backends)) {
  describe(`login protection on ${name}`, () => {
    it('locks a (username, IP) pair after consecutive failures; a success clears the count; other pairs are untouched', async (t) => {
      const opened = await open(t);
      if (!opened) return;
      t.after(() => opened.done());
      const prefix = `t_${process.pid}_${Date.now()}`;
      const protection = await createLoginProtection({
        backend: opened.backend,
        maxConsecutiveFailures: 3,
        lockoutSeconds: 60,
        maxFailuresPerIpPerDay: 8,
        prefix,
      });
      await protection.failed('ann', '10.0.0.1');
      await protection.failed('ann', '10.0.0.1');
      await protection.succeeded('ann', '10.0.0.1');
      await protection.failed('ann', '10.0.0.1');
      await protection.failed('ann', '10.0.0.1');
      assert.equal(await protection.check('ann', '10.0.0.1'), undefined, 'two failures after a success do not lock');
      await protection.failed('ANN', '10.0.0.1');
      const wait = await protection.check('ann', '10.0.0.1');
      assert.ok(wait !== undefined && wait > 50_000 && wait <= 60_000, String(wait));
      assert.equal(await protection.check('ann', '10.0.0.2'), undefined, 'the same user from another address');
      assert.equal(await protection.check('bob', '10.0.0.3'), undefined);
      // The per-IP budget (8 a day) stops spraying across usernames.
      for (let i = 0; i < 8; i++) await protection.failed(`u${i}`, '10.0.0.9');
      assert.ok((await protection.check('u6', '10.0.0.9')) !== undefined);
    });
  });
}
