// Refresh-token rotations per second through the token service. argv: store (sqlite | postgres) ms
import { createTokenService, openStore } from '../../src/server/index.ts';

const [kind, msText] = process.argv.slice(2) as [string, string];
const schema = `gh_bench_${process.pid}`;
const store =
  kind === 'sqlite'
    ? await openStore(`sqlite:${process.env['TMPDIR'] ?? '/tmp'}/gatehouse-bench-${process.pid}.db`)
    : await openStore(process.env['GATEHOUSE_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test', {
        namespace: schema,
        redis: process.env['GATEHOUSE_TEST_REDIS'] ?? 'redis://127.0.0.1:6379',
      });
const service = createTokenService({ store, issuer: 'https://bench.test' });
const CHAINS = 8;
const chains = await Promise.all(
  Array.from(
    { length: CHAINS },
    async (_, i) => (await service.issue({ id: `u${i}` }, { clientId: 'bench', scope: 'read' })).refresh_token!,
  ),
);
let count = 0;
const started = Date.now();
const end = started + Number(msText);
await Promise.all(
  chains.map(async (token) => {
    let current = token;
    while (Date.now() < end) {
      current = (
        await service.refresh(current, { clientId: 'bench', currentIdentity: (id) => ({ id, scopes: ['read'] }) })
      ).refresh_token!;
      count++;
    }
  }),
);
const rotationsPerSec = count / ((Date.now() - started) / 1000);
if (kind === 'postgres') {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: process.env['GATEHOUSE_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  await client.connect();
  await store.close();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
} else await store.close();
process.stdout.write(JSON.stringify({ rotationsPerSec }));
process.exit(0);
