/** Every backend login protection counts on, opened for one test: memory, SQLite, Postgres, Redis. */
import { DatabaseSync } from 'node:sqlite';
import type { TestContext } from 'node:test';
import pg from 'pg';
import type { CounterBackend } from '../../src/server/index.ts';
import { connectRedis, dropSchema, POSTGRES_URL, requirePostgres, runSchema } from './services.ts';

export interface OpenedBackend {
  backend: CounterBackend;
  /** A counter prefix of its own, so runs sharing Postgres or Redis never collide. */
  prefix: string;
  done(): Promise<void>;
}

let runs = 0;
const prefixOf = (name: string) => `t_${name}_${process.pid}_${Date.now()}_${runs++}`;

/** Opens a backend, or (locally, when its service is down) skips the test and answers undefined. */
export const counterBackends: Record<string, (t: TestContext) => Promise<OpenedBackend | undefined>> = {
  memory: async () => ({ backend: { memory: true }, prefix: prefixOf('memory'), done: async () => {} }),
  sqlite: async () => {
    const db = new DatabaseSync(':memory:');
    return { backend: { sqlite: db }, prefix: prefixOf('sqlite'), done: async () => db.close() };
  },
  postgres: async (t) => {
    if (!(await requirePostgres(t))) return undefined;
    const schema = runSchema('limits');
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await pool.query(`CREATE SCHEMA "${schema}"`);
    return {
      backend: { postgres: pool },
      prefix: prefixOf('postgres'),
      done: async () => {
        await pool.end();
        await dropSchema(schema);
      },
    };
  },
  redis: async (t) => {
    const redis = await connectRedis(t);
    return redis && { backend: { redis }, prefix: prefixOf('redis'), done: async () => void redis.quit() };
  },
};
