/**
 * Attacks on the idempotency ledger: make it run a request twice, make it grow without bound, or
 * reach another caller's keys. Every case goes over a real socket (node:http's idempotency() on
 * every store, and every adapter); each is an attack that must fail.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { idempotency } from '../../src/adapters/node/index.ts';
import type { IdempotencyOptions } from '../../src/server/idempotency/options.ts';
import { apiKeyScheme, bearerScheme, createApiKey, createGuard, memoryApiKeys } from '../../src/server/index.ts';
import { memoryIdempotency } from '../../src/stores/memory.ts';
import { openStore } from '../../src/stores/open-store.ts';
import type { PostgresStore } from '../../src/stores/postgres.ts';
import type { SqliteStore } from '../../src/stores/sqlite.ts';
import type { GatehouseStore, IdempotencyLedger } from '../../src/stores/types.ts';
import type { App } from '../support/adapter-apps.ts';
import { AUDIENCE, basicHeader, fixture, ISSUER, JWT_SECRET, jwt } from '../support/guard-fixture.ts';
import { expressOrders, fastifyOrders, honoOrders, nodeOrders, type Orders } from '../support/idempotency-apps.ts';
import { listen } from '../support/server.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

type Opened = { store: GatehouseStore; rows: () => Promise<number>; done: () => Promise<void> };
const stores: Record<string, (t: TestContext) => Promise<Opened | undefined>> = {
  memory: async () => {
    const store = await openStore('memory:');
    // The memory ledger has no table to count: what it still holds is what a full sweep removes.
    return { store, rows: () => store.idempotency.sweep(Date.now(), 1_000_000), done: () => store.close() };
  },
  sqlite: async () => {
    const store = (await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-ledger-')), 'g.db')}`)) as SqliteStore;
    const count = () =>
      Number((store.database.prepare('SELECT count(*) AS n FROM gatehouse_idempotency').get() as { n: number }).n);
    return { store, rows: async () => count(), done: () => store.close() };
  },
  postgres: async (t) => {
    if (!(await requirePostgres(t))) return undefined;
    const schema = runSchema('ledger_attack');
    const store = (await openStore(POSTGRES_URL, { namespace: schema })) as PostgresStore;
    return {
      store,
      rows: async () => Number((await store.pool.query('SELECT count(*) AS n FROM gatehouse_idempotency')).rows[0]?.n),
      done: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
};

/** The real store's ledger, with its next `failures` writes of an answer failing as in an outage. */
function failingWrites(ledger: IdempotencyLedger, failures: number): IdempotencyLedger {
  return {
    claim: (...args) => ledger.claim(...args),
    release: (...args) => ledger.release(...args),
    sweep: (...args) => ledger.sweep(...args),
    complete: (...args) =>
      failures-- > 0
        ? Promise.reject(new Error('connection reset (the stored body: secret-order-42)'))
        : ledger.complete(...args),
  };
}

/** An app whose one route answers `answer(request body)` and counts its effects. */
async function echoApp(options: IdempotencyOptions, answer: (body: Buffer) => Buffer) {
  const effects: string[] = [];
  const app: App = await listen(
    createServer(
      idempotency(options, (req, res) => {
        effects.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(answer(req.rawBody ?? Buffer.alloc(0)));
      }),
    ),
  );
  return { app, effects };
}

const post = async (app: App, key: string, body: string, path = '/notes') => {
  const response = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'idempotency-key': key }, body });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [name, open] of Object.entries(stores)) {
  describe(`idempotency ledger attacks on the ${name} store`, () => {
    const withStore = (fn: (opened: Opened) => Promise<void>) => async (t: TestContext) => {
      const opened = await open(t);
      if (!opened) return;
      try {
        await fn(opened);
      } finally {
        await opened.done();
      }
    };

    it(
      'an answer holding NUL bytes, control characters or arbitrary binary runs once; every repeat replays the same bytes',
      withStore(async ({ store }) => {
        const pendingMs = 200;
        const binary = Buffer.concat([Buffer.from([0, 0xff, 0xfe, 0, 0xc3]), randomBytes(4096), Buffer.from([0])]);
        const answers: Record<string, (body: Buffer) => Buffer> = {
          // Valid UTF-8 (so kept as text), echoing what the client wrote: U+0000 and every C0 control.
          text: (body) => Buffer.concat([Buffer.from('note saved: '), body]),
          binary: () => binary,
        };
        const sent = `hello\u0000world ${String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i))} é ✓ \u{1f600}`;
        for (const [kind, answer] of Object.entries(answers)) {
          const { app, effects } = await echoApp({ ledger: store.idempotency, pendingMs }, answer);
          try {
            const first = await post(app, `nul-${kind}`, sent);
            assert.equal(first.response.status, 200);
            const soon = await post(app, `nul-${kind}`, sent);
            // A retry after the run's pendingMs would have taken over a key whose answer was never kept.
            await sleep(pendingMs + 100);
            const later = await post(app, `nul-${kind}`, sent);
            for (const repeat of [soon, later]) {
              assert.equal(repeat.response.status, 200, `${kind}: a repeat is replayed`);
              assert.equal(repeat.response.headers.get('idempotent-replayed'), 'true');
              assert.deepStrictEqual(repeat.bytes, first.bytes, `${kind}: the replay holds the very same bytes`);
            }
            assert.equal(effects.length, 1, `${kind}: the handler ran once`);
          } finally {
            await app.close();
          }
        }
      }),
    );

    it(
      'a store failure while keeping the answer never lets the key run again: repeats get 503 store_unavailable, one log line',
      withStore(async ({ store }) => {
        const pendingMs = 200;
        const ledger = failingWrites(store.idempotency, 1);
        const lines: string[] = [];
        const { app, effects } = await echoApp({ ledger, pendingMs, onLedgerFailure: (line) => lines.push(line) }, () =>
          Buffer.from('order 42 placed'),
        );
        try {
          const first = await post(app, 'blip', '{"item":"book"}');
          assert.equal(first.response.status, 200, 'the client that ran it gets its answer');
          assert.equal(first.bytes.toString(), 'order 42 placed');
          const soon = await post(app, 'blip', '{"item":"book"}');
          await sleep(pendingMs + 100);
          const later = await post(app, 'blip', '{"item":"book"}');
          for (const repeat of [soon, later]) {
            assert.equal(repeat.response.status, 503);
            assert.equal(repeat.response.headers.get('content-type'), 'application/problem+json');
            assert.equal(JSON.parse(repeat.bytes.toString()).code, 'store_unavailable');
            assert.equal(repeat.response.headers.get('idempotent-replayed'), null);
          }
          assert.equal(effects.length, 1, 'the handler ran once');
          assert.equal(lines.length, 1, 'one log line');
          assert.match(lines[0] ?? '', /POST \/notes/);
          assert.doesNotMatch(
            lines[0] ?? '',
            /secret-order-42|blip/,
            "neither the store's message nor the key is logged",
          );
          // Another key is unaffected.
          assert.equal((await post(app, 'after-blip', '{"item":"book"}')).response.status, 200);
          assert.equal(effects.length, 2);
        } finally {
          await app.close();
        }
      }),
    );

    it(
      'entries kept before the key format changed still answer their owner (replay, 409) and nobody else',
      withStore(async ({ store }) => {
        const guard = (await fixture()).guard(['basic']);
        const orders: Orders = { effects: [], failNext: false };
        const api = await nodeOrders(guard, { ledger: store.idempotency }, orders);
        const open = await nodeOrders(null, { ledger: store.idempotency }, orders);
        // What the previous version wrote: a principal's key behind its id's hash and a colon, a bare key otherwise.
        const ledger = store.idempotency;
        const old = (key: string) =>
          `${createHash('sha256').update('u-alice').digest('base64url').slice(0, 22)}:${key}`;
        const fingerprint = (body: string) => createHash('sha256').update(`POST /orders\n${body}`).digest('hex');
        const book = '{"item":"book"}';
        const kept = (who: string) => ({
          status: 201,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n: 0, who }),
        });
        const now = Date.now();
        for (const [key, who] of [
          [old('before-upgrade'), 'u-alice'],
          ['anonymous-before-upgrade', 'anonymous'],
        ] as const) {
          assert.equal((await ledger.claim(key, fingerprint(book), now, 30_000)).state, 'new');
          await ledger.complete(key, kept(who), now, 60_000);
        }
        await ledger.claim(old('running-at-upgrade'), fingerprint(book), now, 30_000);
        await ledger.claim(old('planted-before-upgrade'), fingerprint('{"item":"sabotage"}'), now, 30_000);
        const send = async (app: App, key: string, who?: string) => {
          const response = await fetch(`${app.url}/orders`, {
            method: 'POST',
            headers: { ...(who ? { authorization: who } : {}), 'idempotency-key': key },
            body: book,
          });
          const text = await response.text();
          return {
            status: response.status,
            replayed: response.headers.get('idempotent-replayed') === 'true',
            body: response.status === 201 ? JSON.parse(text) : undefined,
          };
        };
        const alice = basicHeader('alice', 'alice-password-1');
        try {
          // A client whose answer was lost across the upgrade gets it now; one whose run is still held waits.
          assert.deepStrictEqual(await send(api, 'before-upgrade', alice), {
            status: 201,
            replayed: true,
            body: { n: 0, who: 'u-alice' },
          });
          assert.equal((await send(api, 'running-at-upgrade', alice)).status, 409);
          assert.deepStrictEqual(await send(open, 'anonymous-before-upgrade'), {
            status: 201,
            replayed: true,
            body: { n: 0, who: 'anonymous' },
          });
          assert.equal(orders.effects.length, 0, 'nothing ran twice across the upgrade');
          // Alice's old entry is out of reach of a caller without a principal, whatever key it sends.
          const forged = await send(open, old('before-upgrade'));
          assert.equal(forged.replayed, false);
          assert.equal(forged.body?.who, 'anonymous');
          // An old entry of another request under her key (planted through the old format) does not block her.
          const planted = await send(api, 'planted-before-upgrade', alice);
          assert.deepStrictEqual([planted.status, planted.replayed, planted.body?.who], [201, false, 'u-alice']);
          assert.deepStrictEqual(
            orders.effects.map((e) => e.who),
            ['anonymous', 'u-alice'],
          );
        } finally {
          await api.close();
          await open.close();
        }
      }),
    );

    it(
      'a flood of distinct keys does not pile up: expired entries are swept as requests come',
      withStore(async ({ store, rows }) => {
        const { app, effects } = await echoApp({ ledger: store.idempotency, keepMs: 1, pendingMs: 1 }, () =>
          Buffer.from('x'.repeat(2000)),
        );
        try {
          for (let i = 0; i < 250; i++) await post(app, `flood-${i}-${'a'.repeat(200)}`, '{}');
          assert.equal(effects.length, 250);
          await sleep(5);
          // Sweeps run every 100 claims, so at most the last 100 entries can still be there.
          const held = await rows();
          assert.ok(held <= 100, `${held} of 250 expired entries are still kept`);
        } finally {
          await app.close();
        }
      }),
    );
  });
}

describe('the memory ledger under a flood of live keys', () => {
  it('refuses a new key with 503 store_unavailable and Retry-After rather than forgetting a live one', async () => {
    const keepMs = 400;
    const { app, effects } = await echoApp({ ledger: memoryIdempotency({ maxEntries: 20 }), keepMs }, (body) => body);
    try {
      for (let i = 0; i < 20; i++) assert.equal((await post(app, `live-${i}`, `order ${i}`)).response.status, 200);
      const refused = await post(app, 'one-too-many', 'order 20');
      assert.equal(refused.response.status, 503);
      assert.equal(JSON.parse(refused.bytes.toString()).code, 'store_unavailable');
      assert.ok(Number(refused.response.headers.get('retry-after')) >= 1);
      assert.equal(effects.length, 20, 'the refused request did not run');
      // Every live key is still remembered: its repeat is a replay, not a second run.
      for (let i = 0; i < 20; i++) {
        const again = await post(app, `live-${i}`, `order ${i}`);
        assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
        assert.equal(again.bytes.toString(), `order ${i}`);
      }
      assert.equal(effects.length, 20);
      // Once they expire, room is made for new keys.
      await sleep(keepMs + 50);
      assert.equal((await post(app, 'one-too-many', 'order 20')).response.status, 200);
      assert.equal(effects.length, 21);
    } finally {
      await app.close();
    }
  });
});

describe('a store failure while keeping the answer, on every adapter', () => {
  const adapters = { 'node:http': nodeOrders, Express: expressOrders, Fastify: fastifyOrders, Hono: honoOrders };
  for (const [name, build] of Object.entries(adapters)) {
    it(`${name}: the order takes effect once; repeats before and after pendingMs get 503 store_unavailable`, async () => {
      const store = await openStore('sqlite::memory:');
      const guard = (await fixture()).guard(['basic']);
      const orders: Orders = { effects: [], failNext: false };
      const lines: string[] = [];
      const pendingMs = 150;
      const ledger = failingWrites(store.idempotency, 1);
      const app = await build(guard, { ledger, pendingMs, onLedgerFailure: (line) => lines.push(line) }, orders);
      const send = () =>
        fetch(`${app.url}/orders`, {
          method: 'POST',
          headers: {
            authorization: basicHeader('alice', 'alice-password-1'),
            'content-type': 'application/json',
            'idempotency-key': 'order-1',
          },
          body: '{"item":"book"}',
        });
      try {
        const first = await send();
        assert.equal(first.status, 201);
        await first.arrayBuffer();
        const soon = await send();
        await sleep(pendingMs + 100);
        const later = await send();
        for (const repeat of [soon, later]) {
          assert.equal(repeat.status, 503);
          assert.equal((await repeat.json()).code, 'store_unavailable');
        }
        assert.equal(orders.effects.length, 1);
        assert.equal(lines.length, 1);
      } finally {
        await app.close();
        await store.close();
      }
    });
  }
});

describe("one caller's keys are out of every other caller's reach, on every adapter", () => {
  // One ledger behind two listeners of each framework: the API with the guard, and a public route
  // without it (idempotency() alone, as the playground's POST /orders), as when they share a store.
  const adapters = { 'node:http': nodeOrders, Express: expressOrders, Fastify: fastifyOrders, Hono: honoOrders };
  const OTHER_TENANT = 'https://tenant-b.issuer.test';
  for (const [name, build] of Object.entries(adapters)) {
    it(`${name}: a forged key neither reads, pre-empts nor blocks a principal's key; the owner's repeat still replays`, async () => {
      const store = (await openStore('sqlite::memory:')) as SqliteStore;
      // An API key whose record id equals a user's id (ids of different schemes are different namespaces),
      // and one bearer scheme trusting two issuers (a multi-tenant issuer: one key set, one iss per tenant).
      const named = createApiKey();
      const guard = createGuard({
        schemes: [
          (await fixture()).schemes.basic,
          apiKeyScheme({
            header: 'X-API-Key',
            keys: memoryApiKeys([{ id: 'u-alice', keyId: named.id, hash: named.hash }]),
          }),
          bearerScheme({
            jwt: { key: JWT_SECRET, algorithms: ['HS256'], issuer: [ISSUER, OTHER_TENANT], audience: AUDIENCE },
          }),
        ],
      });
      const orders: Orders = { effects: [], failNext: false };
      const api = await build(guard, { ledger: store.idempotency }, orders);
      const open = await build(null, { ledger: store.idempotency }, orders);
      const alice = { authorization: basicHeader('alice', 'alice-password-1') };
      const send = async (app: App, key: string, item: string, credentials: Record<string, string> = {}) => {
        const response = await fetch(`${app.url}/orders`, {
          method: 'POST',
          headers: { ...credentials, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ item }),
        });
        const text = await response.text();
        return {
          status: response.status,
          replayed: response.headers.get('idempotent-replayed') === 'true',
          who: response.status === 201 ? (JSON.parse(text) as { who: string }).who : undefined,
        };
      };
      const keys = () =>
        (store.database.prepare('SELECT key FROM gatehouse_idempotency').all() as Array<{ key: string }>).map(
          (r) => r.key,
        );
      const ranFor = (who: string) => orders.effects.filter((e) => e.who === who).length;
      try {
        // Alice orders; the attacker learns exactly what the ledger stored for her (the code is public).
        const before = new Set(keys());
        assert.deepStrictEqual(await send(api, 'order-1', 'book', alice), {
          status: 201,
          replayed: false,
          who: 'u-alice',
        });
        const [stored = ''] = keys().filter((k) => !before.has(k));
        assert.ok(stored.endsWith('order-1'), stored);
        const scopeOf = (key: string) => stored.slice(0, -'order-1'.length) + key;
        // Every spelling an unauthenticated client might try for her key: the stored key itself and
        // the composition used before (the id's hash, a colon, the key).
        const oldScope = `${createHash('sha256').update('u-alice').digest('base64url').slice(0, 22)}:`;
        const forgeries = (key: string) => [...new Set([scopeOf(key), `${oldScope}${key}`])];

        // Read: the same request under a forged key must not be answered with Alice's order.
        for (const forged of forgeries('order-1')) {
          const stolen = await send(open, forged, 'book');
          assert.equal(stolen.replayed, false, `${forged}: never Alice's kept answer`);
          assert.notEqual(stolen.who, 'u-alice');
        }
        // Pre-empt (the same request first, so that her repeat would be "replayed" from the
        // attacker's run and never take effect) and block (another request: she would get 422).
        for (const forged of forgeries('order-2')) await send(open, forged, 'book');
        for (const [i, forged] of forgeries('order-3').entries()) await send(open, forged, `sabotage ${i}`);
        const ordered = ranFor('u-alice');
        assert.deepStrictEqual(await send(api, 'order-2', 'book', alice), {
          status: 201,
          replayed: false,
          who: 'u-alice',
        });
        assert.deepStrictEqual(await send(api, 'order-3', 'book', alice), {
          status: 201,
          replayed: false,
          who: 'u-alice',
        });
        assert.equal(ranFor('u-alice'), ordered + 2, "both of Alice's orders took effect");

        // Another scheme's principal with the same id (the API key named u-alice) does not share her keys.
        const keyHolder = { 'x-api-key': named.key };
        assert.deepStrictEqual(await send(api, 'order-4', 'pen', keyHolder), {
          status: 201,
          replayed: false,
          who: 'u-alice',
        });
        assert.deepStrictEqual(await send(api, 'order-4', 'pen', alice), {
          status: 201,
          replayed: false,
          who: 'u-alice',
        });
        // Nor does another issuer's subject with the same sub (RFC 7519 §4.1.2: sub is unique per issuer).
        const tenantB = { authorization: `Bearer ${await jwt({ sub: 'u-alice' }, { issuer: OTHER_TENANT })}` };
        const tenantA = { authorization: `Bearer ${await jwt({ sub: 'u-alice' })}` };
        assert.deepStrictEqual(await send(api, 'order-5', 'ink', tenantB), {
          status: 201,
          replayed: false,
          who: 'u-alice',
        });
        assert.deepStrictEqual(await send(api, 'order-5', 'ink', tenantA), {
          status: 201,
          replayed: false,
          who: 'u-alice',
        });
        assert.equal(ranFor('u-alice'), ordered + 6, 'each of the six orders ran once');

        // Each caller's own repeat is still a replay, and runs nothing.
        const effects = orders.effects.length;
        for (const [key, item, who] of [
          ['order-1', 'book', alice],
          ['order-2', 'book', alice],
          ['order-4', 'pen', keyHolder],
          ['order-4', 'pen', alice],
          ['order-5', 'ink', tenantB],
          ['order-5', 'ink', tenantA],
        ] as const)
          assert.deepStrictEqual(await send(api, key, item, who), { status: 201, replayed: true, who: 'u-alice' });
        assert.equal((await send(open, 'anonymous-1', 'cup')).who, 'anonymous');
        assert.deepStrictEqual(await send(open, 'anonymous-1', 'cup'), {
          status: 201,
          replayed: true,
          who: 'anonymous',
        });
        assert.equal(orders.effects.length, effects + 1);
      } finally {
        await api.close();
        await open.close();
        await store.close();
      }
    });
  }
});
