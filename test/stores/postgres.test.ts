/** The Postgres store (src/stores/postgres.ts) keeps the behaviour every store keeps, in a schema of its own. */
import { openStore } from '../../src/server/index.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';
import { storeBehaves } from '../support/store-behaviour.ts';

storeBehaves('postgres', async (t) => {
  if (!(await requirePostgres(t))) return undefined;
  const schema = runSchema('behaviour');
  const store = await openStore(POSTGRES_URL, { namespace: schema });
  return {
    store,
    done: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});
