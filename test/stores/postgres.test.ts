/** The Postgres store (src/stores/postgres.ts) keeps the behaviour every store keeps, in a schema of its own. */
import { describe, it } from 'node:test';
import { openStore } from '../../src/server/index.ts';
import { codesRedeemOnceConcurrently } from '../support/code-behaviour.ts';
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

describe('postgres store, two instances on one schema', () => {
  it('redeem an authorization code once between them: exactly one redemption is the first', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('codes');
    const [a, b] = [
      await openStore(POSTGRES_URL, { namespace: schema }),
      await openStore(POSTGRES_URL, { namespace: schema }),
    ];
    try {
      await codesRedeemOnceConcurrently([a.authorizationCodes, b.authorizationCodes]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(schema);
    }
  });
});
