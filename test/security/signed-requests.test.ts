/**
 * Signed requests, moved or replayed: a request signed for one target (method, authority, path
 * and query) must verify for that target only, on every adapter, whatever the server's URL parser
 * or router would make of another one; and a captured signed request must not verify twice, however
 * full the replay cache is. Each case is an attack sent over a real socket; the server counts the
 * runs of its protected handlers.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import { after, before, describe, it, type TestContext } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { protect as expressProtect } from '../../src/adapters/express/index.ts';
import { protect as fastifyProtect, gatehousePlugin } from '../../src/adapters/fastify/index.ts';
import { type GatehouseVariables, protect as honoProtect, protectHandler } from '../../src/adapters/hono/index.ts';
import { type AuthenticatedRequest, protect } from '../../src/adapters/node/index.ts';
import { createClient, hmacSignature } from '../../src/client/index.ts';
import { RequestBody } from '../../src/client/request-body.ts';
import { SIGNATURE_SCHEME, signingString } from '../../src/http/index.ts';
import {
  createGuard,
  type Guard,
  memoryNonces,
  memorySigningKeys,
  type NonceStore,
  openStore,
  type SignatureSchemeOptions,
  signatureScheme,
} from '../../src/server/index.ts';
import { redisNonces } from '../../src/stores/redis.ts';
import { type App, serveHono } from '../support/adapter-apps.ts';
import { listen } from '../support/server.ts';
import { connectRedis, dropSchema, POSTGRES_URL, requirePostgres, runPrefix, runSchema } from '../support/services.ts';

const KEY = { keyId: 'svc-key', secret: 'svc-signing-secret-0123456789', id: 'svc' };
const BODY = '{"item":"book","qty":1}';

/** One run of a protected handler: which route ran, and for whom. */
interface Run {
  route: 'orders' | 'purge';
  principal: string | undefined;
}

/** A server with two guarded routes, POST {prefix}/orders and POST {prefix}/admin/purge/*. */
interface Target extends App {
  prefix: string;
}
type Start = (guard: Guard, runs: Run[]) => Promise<Target>;

const adapters: Array<[string, Start]> = [
  [
    'node:http protect()',
    async (guard, runs) => {
      const handler = (route: Run['route']) =>
        protect(guard, (req: AuthenticatedRequest, res: ServerResponse) => {
          runs.push({ route, principal: req.auth?.id });
          res.end(route);
        });
      const orders = handler('orders');
      const purge = handler('purge');
      // Routing by the raw request-target, as a node:http app does.
      const app = await listen(
        createServer((req, res) => {
          const path = (req.url ?? '/').split('?')[0]!;
          if (path.startsWith('/admin/purge/')) return void purge(req, res);
          if (path === '/orders') return void orders(req, res);
          res.writeHead(404).end();
        }),
      );
      return { ...app, prefix: '' };
    },
  ],
  [
    'Express protect()',
    async (guard, runs) => {
      const app = express();
      const handler = (route: Run['route']) => (req: express.Request, res: express.Response) => {
        runs.push({ route, principal: req.auth?.id });
        res.send(route);
      };
      app.post('/orders', expressProtect(guard), handler('orders'));
      app.post('/admin/purge/{*rest}', expressProtect(guard), handler('purge'));
      return { ...(await listen(createServer(app))), prefix: '' };
    },
  ],
  [
    "Express protect() in a router mounted at '/api'",
    async (guard, runs) => {
      const app = express();
      const api = express.Router();
      const handler = (route: Run['route']) => (req: express.Request, res: express.Response) => {
        runs.push({ route, principal: req.auth?.id });
        res.send(route);
      };
      api.post('/orders', expressProtect(guard), handler('orders'));
      api.post('/admin/purge/{*rest}', expressProtect(guard), handler('purge'));
      app.use('/api', api);
      return { ...(await listen(createServer(app))), prefix: '/api' };
    },
  ],
  [
    'Fastify protect()',
    async (guard, runs) => {
      const app = Fastify();
      await app.register(gatehousePlugin, { guard });
      const handler = (route: Run['route']) => async (request: import('fastify').FastifyRequest) => {
        runs.push({ route, principal: request.auth?.id });
        return route;
      };
      app.post('/orders', { preHandler: fastifyProtect(guard) }, handler('orders'));
      app.post('/admin/purge/*', { preHandler: fastifyProtect(guard) }, handler('purge'));
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { ...(await listen(app.server)), close: () => app.close(), prefix: '' };
    },
  ],
  [
    'Hono protect() on @hono/node-server',
    async (guard, runs) => {
      const app = new Hono<{ Variables: GatehouseVariables }>();
      const handler = (route: Run['route']) => (c: import('hono').Context<{ Variables: GatehouseVariables }>) => {
        runs.push({ route, principal: c.get('auth')?.id });
        return c.text(route);
      };
      app.post('/orders', honoProtect(guard), handler('orders'));
      app.post('/admin/purge/*', honoProtect(guard), handler('purge'));
      return { ...(await serveHono(app)), prefix: '' };
    },
  ],
  [
    'Hono protectHandler() on @hono/node-server',
    async (guard, runs) => {
      const app = new Hono<{ Variables: GatehouseVariables }>();
      const handler = (route: Run['route']) =>
        protectHandler(guard, (c) => {
          runs.push({ route, principal: c.get('auth')?.id });
          return c.text(route);
        });
      app.post('/orders', handler('orders'));
      app.post('/admin/purge/*', handler('purge'));
      return { ...(await serveHono(app)), prefix: '' };
    },
  ],
];

function signedGuard(options: Partial<SignatureSchemeOptions> = {}): Guard {
  return createGuard({ schemes: [signatureScheme({ keys: memorySigningKeys([KEY]), ...options })] });
}

/**
 * The Authorization the Gatehouse client puts on a POST to `url` (a fresh nonce each time), taken
 * from its signing strategy without sending: the captured request an attacker then moves.
 */
async function signatureFor(url: string, body = BODY, key: { keyId: string; secret: string } = KEY): Promise<string> {
  const request = {
    url: new URL(url),
    method: 'POST',
    headers: new Headers(),
    body: new RequestBody(body),
    credentialsAllowed: true,
  };
  const flow = hmacSignature({ keyId: key.keyId, secret: key.secret }).flow(request, {
    signal: undefined,
    reportRefresh() {},
  } as never);
  const signed = (await flow.next()).value;
  assert.ok(signed, 'the strategy yields the signed request');
  return signed.headers.get('authorization')!;
}

/**
 * A POST with the request-target exactly as given (node:http sends the path as it is: no dot
 * segment is resolved, no backslash turned around) and, unless given, the Host fetch would send.
 */
function post(
  app: App,
  target: string,
  headers: Record<string, string>,
  body = BODY,
): Promise<{ status: number; code: string | undefined; retryAfter: string | undefined }> {
  const { host } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(app.url, {
      method: 'POST',
      path: target,
      headers: { host, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = JSON.parse(text).code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, code, retryAfter: res.headers['retry-after'] });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Refused by the guard for its signature, or before any guard ran: the server refused the target
 * itself (400: @hono/node-server will not parse a backslash) or the router had no route for it (404).
 */
function refused(answer: { status: number; code: string | undefined }): boolean {
  if (answer.status === 401) return answer.code === 'signature_invalid';
  return (answer.status === 400 || answer.status === 404) && answer.code === undefined;
}

for (const [name, start] of adapters) {
  describe(`signed requests on ${name}`, () => {
    const runs: Run[] = [];
    let app: Target;
    let orders: string;
    before(async () => {
      app = await start(signedGuard(), runs);
      orders = `${app.prefix}/orders`;
    });
    after(() => app.close());

    it('a request the client signed verifies where it was sent, with its query as sent', async () => {
      const client = createClient({ baseUrl: app.url, auth: hmacSignature(KEY), retry: false, throwHttpErrors: false });
      for (const path of [orders, `${orders}?`, `${orders}?page=2&next=../x&dot=%2e%2e`]) {
        runs.length = 0;
        const response = await client.post(`${app.url}${path}`, {
          body: BODY,
          headers: { 'content-type': 'text/plain' },
        });
        assert.equal(response.status, 200, `${path}: ${await response.text()}`);
        assert.deepStrictEqual(runs, [{ route: 'orders', principal: 'svc' }], path);
      }
    });

    // Each: signed for POST {prefix}/orders on this server, sent as another request-target.
    const moved: Array<[string, (prefix: string) => string]> = [
      ['dot segments', (p) => `${p}/admin/purge/../../orders`],
      ['%2e%2e in either case', (p) => `${p}/admin/purge/%2e%2e/%2E%2E/orders`],
      ['half-encoded dot segments', (p) => `${p}/admin/purge/.%2e/%2E./orders`],
      ['a single-dot segment', (p) => `${p}/admin/purge/./../../orders`],
      ['backslashes', (p) => `${p}/admin/purge/..\\..\\orders`],
      ['a trailing "?"', (p) => `${p}/orders?`],
      ['a query added', (p) => `${p}/orders?dry=0`],
      ['a trailing slash', (p) => `${p}/orders/`],
      ['the absolute form', (p) => `ABSOLUTE${p}/orders`],
    ];
    for (const [label, target] of moved) {
      it(`refuses a request signed for /orders and sent with ${label}; no handler runs`, async () => {
        runs.length = 0;
        const sent = target(app.prefix).replace('ABSOLUTE', app.url);
        const authorization = await signatureFor(`${app.url}${orders}`);
        const answer = await post(app, sent, { authorization });
        assert.deepStrictEqual(runs, [], `${sent}: a protected handler ran`);
        assert.ok(refused(answer), `${sent}: ${answer.status} ${answer.code}`);
      });
    }

    it('refuses a request signed for another authority (another service sharing the key)', async () => {
      runs.length = 0;
      const authorization = await signatureFor(`http://staging.api.test${orders}`);
      const answer = await post(app, orders, { authorization });
      assert.deepStrictEqual([answer.status, answer.code, runs], [401, 'signature_invalid', []]);
    });

    it('refuses a request signed for the path without its mount prefix, or with another one', async () => {
      runs.length = 0;
      for (const [signedFor, sentTo] of [
        ['/orders', orders],
        [`/v2${orders}`, orders],
        [orders, `/v2${orders}`],
      ] as const) {
        if (signedFor === sentTo) continue;
        const authorization = await signatureFor(`${app.url}${signedFor}`);
        const answer = await post(app, sentTo, { authorization });
        assert.ok(refused(answer), `signed for ${signedFor}, sent to ${sentTo}: ${answer.status} ${answer.code}`);
      }
      assert.deepStrictEqual(runs, []);
    });
  });
}

describe('signed requests on a Web Request (Hono in-process, app.request)', () => {
  const runs: Run[] = [];
  const app = new Hono<{ Variables: GatehouseVariables }>();
  app.post('/orders', honoProtect(signedGuard()), (c) => {
    runs.push({ route: 'orders', principal: c.get('auth')?.id });
    return c.text('orders');
  });
  const send = async (url: string, authorization: string) => {
    const response = await app.request(url, { method: 'POST', headers: { authorization }, body: BODY });
    return [response.status, response.status === 200 ? undefined : (await response.json()).code];
  };

  it('verifies the path and query of the Request URL as serialised, and that only', async () => {
    runs.length = 0;
    const signed = 'http://localhost/orders';
    assert.deepStrictEqual(await send(signed, await signatureFor(signed)), [200, undefined]);
    assert.deepStrictEqual(await send(`${signed}?`, await signatureFor(signed)), [401, 'signature_invalid']);
    assert.deepStrictEqual(await send(signed, await signatureFor(`${signed}?`)), [401, 'signature_invalid']);
    assert.deepStrictEqual(await send(`${signed}?`, await signatureFor(`${signed}?`)), [200, undefined]);
    assert.deepStrictEqual(
      await send('http://other.test/orders', await signatureFor(signed)),
      [401, 'signature_invalid'],
      'the authority of the URL, when no Host field is there',
    );
    assert.equal(runs.length, 2);
  });
});

describe('signed requests: the authority the server answers as', () => {
  const runs: Run[] = [];
  let app: Target;
  before(async () => {
    // Behind a proxy that rewrites Host, or to tie signatures to this service whatever Host says.
    app = await adapters[0]![1](signedGuard({ authority: 'api.test' }), runs);
  });
  after(() => app.close());

  it('verifies a request signed for the configured authority, whatever Host the proxy sent', async () => {
    runs.length = 0;
    const answer = await post(app, '/orders', { authorization: await signatureFor('https://api.test/orders') });
    assert.deepStrictEqual([answer.status, runs], [200, [{ route: 'orders', principal: 'svc' }]]);
  });

  it('refuses a request signed for another authority even when its Host claims that authority', async () => {
    runs.length = 0;
    const authorization = await signatureFor('https://staging.api.test/orders');
    const answer = await post(app, '/orders', { authorization, host: 'staging.api.test' });
    assert.deepStrictEqual([answer.status, answer.code, runs], [401, 'signature_invalid', []]);
  });
});

describe('signed requests: the replay cache, flooded', () => {
  const runs: Run[] = [];
  const TENANT = { keyId: 'tenant-key', secret: 'tenant-signing-secret-0123456789', id: 'tenant' };
  let app: Target;
  before(async () => {
    const guard = createGuard({
      schemes: [signatureScheme({ keys: memorySigningKeys([KEY, TENANT]), nonces: memoryNonces(200) })],
    });
    app = await adapters[0]![1](guard, runs);
  });
  after(() => app.close());

  it("a captured request stays refused after another key holder fills its share of the cache; that key's new ones get 503, other keys' are served", async () => {
    const captured = await signatureFor(`${app.url}/orders`);
    assert.equal((await post(app, '/orders', { authorization: captured })).status, 200);
    assert.equal((await post(app, '/orders', { authorization: captured })).code, 'signature_replayed');
    // Another tenant's own valid signed requests, as many as the cache holds.
    const flood = [];
    for (let i = 0; i < 200; i++) {
      flood.push(await post(app, '/orders', { authorization: await signatureFor(`${app.url}/orders`, BODY, TENANT) }));
    }
    assert.ok(
      flood.every((a) => a.status === 200 || (a.status === 503 && a.code === 'store_unavailable')),
      'each flood request is either served or refused 503 for a full cache',
    );
    runs.length = 0;
    const replay = await post(app, '/orders', { authorization: captured });
    assert.deepStrictEqual([replay.status, replay.code], [401, 'signature_replayed'], 'the replay is still refused');
    const more = await post(app, '/orders', { authorization: await signatureFor(`${app.url}/orders`, BODY, TENANT) });
    assert.deepStrictEqual([more.status, more.code], [503, 'store_unavailable'], "the flooder's share is full");
    assert.ok(Number(more.retryAfter) > 0, 'with Retry-After');
    assert.deepStrictEqual(runs, []);
    const fresh = await post(app, '/orders', { authorization: await signatureFor(`${app.url}/orders`) });
    assert.deepStrictEqual([fresh.status, fresh.code], [200, undefined], 'another key holder is still served');
    assert.deepStrictEqual(runs, [{ route: 'orders', principal: 'svc' }]);
  });
});

describe('signed requests: one key record, however its keyId is spelled (a lookup that ignores case)', () => {
  const runs: Run[] = [];
  // As a key table under a case-insensitive collation (MySQL's default, Postgres citext) answers.
  const caseInsensitive = {
    findSigningKey: async (keyId: string) => (keyId.toLowerCase() === KEY.keyId ? KEY : undefined),
  };
  const SPELLINGS = ['SVC-KEY', 'Svc-Key', 'svc-KEY', 'sVc-kEy'];
  let app: Target;
  before(async () => {
    const guard = createGuard({
      schemes: [
        signatureScheme({ keys: caseInsensitive, nonces: memoryNonces({ maxEntries: 40, maxEntriesPerKey: 4 }) }),
      ],
    });
    app = await adapters[0]![1](guard, runs);
  });
  after(() => app.close());

  it('a captured request replayed under other spellings of its keyId is refused, and the handler runs once', async () => {
    runs.length = 0;
    const captured = await signatureFor(`${app.url}/orders`);
    assert.equal((await post(app, '/orders', { authorization: captured })).status, 200);
    const replay = await post(app, '/orders', { authorization: captured });
    assert.deepStrictEqual([replay.status, replay.code], [401, 'signature_replayed']);
    for (const spelling of SPELLINGS) {
      // The keyId is signed as sent, so a respelled capture no longer verifies.
      const respelled = await post(app, '/orders', {
        authorization: captured.replace(/keyid="svc-key"/i, `keyid="${spelling}"`),
      });
      assert.deepStrictEqual([respelled.status, respelled.code], [401, 'signature_invalid'], `replayed as ${spelling}`);
    }
    assert.deepStrictEqual(runs, [{ route: 'orders', principal: 'svc' }]);
  });

  it("one nonce signed under each spelling of the keyId is served once: the nonce is the found key's", async () => {
    runs.length = 0;
    const nonce = 'one-nonce-0123456789abcdef';
    const answers = [];
    for (const spelling of ['svc-key', ...SPELLINGS]) {
      const headers = signedBy(app, nonce, 'authorization', '/orders', { keyId: spelling, secret: KEY.secret });
      const answer = await post(app, '/orders', headers);
      answers.push(`${answer.status} ${answer.code}`);
    }
    assert.deepStrictEqual(answers, ['200 undefined', ...SPELLINGS.map(() => '401 signature_replayed')]);
    assert.deepStrictEqual(runs, [{ route: 'orders', principal: 'svc' }]);
  });

  it('the key holder cannot take a second share of the replay cache by spelling its keyId otherwise', async (t) => {
    const own: Run[] = [];
    const guard = createGuard({
      schemes: [
        signatureScheme({ keys: caseInsensitive, nonces: memoryNonces({ maxEntries: 40, maxEntriesPerKey: 4 }) }),
      ],
    });
    const server = await adapters[0]![1](guard, own);
    t.after(() => server.close());
    const answers = [];
    for (const spelling of ['svc-key', ...SPELLINGS]) {
      for (let i = 0; i < 2; i++) {
        const authorization = await signatureFor(`${server.url}/orders`, BODY, { keyId: spelling, secret: KEY.secret });
        answers.push((await post(server, '/orders', { authorization })).status);
      }
    }
    // Its share is 4 of the 40 entries, whichever spelling it signs under.
    assert.deepStrictEqual(answers.slice(0, 4), [200, 200, 200, 200], `served up to its share: ${answers.join(' ')}`);
    assert.ok(
      answers.slice(4).every((s) => s === 503),
      `then refused for its full share: ${answers.join(' ')}`,
    );
    assert.equal(own.length, 4);
  });
});

describe('signed requests: a signature is for one keyId (two key records sharing one secret)', () => {
  const runs: Run[] = [];
  // One secret registered under an old and a new keyId, as during a rotation.
  const OLD = { keyId: 'svc-key-2025', secret: KEY.secret, id: 'svc' };
  const NEW = { keyId: 'svc-key-2026', secret: KEY.secret, id: 'svc' };
  let app: Target;
  before(async () => {
    app = await adapters[0]![1](
      createGuard({ schemes: [signatureScheme({ keys: memorySigningKeys([OLD, NEW]) })] }),
      runs,
    );
  });
  after(() => app.close());

  it('a request signed for one keyId and replayed under the other is refused, and the handler runs once', async () => {
    runs.length = 0;
    const captured = await signatureFor(`${app.url}/orders`, BODY, OLD);
    assert.equal((await post(app, '/orders', { authorization: captured })).status, 200);
    const moved = await post(app, '/orders', {
      authorization: captured.replace(/keyid="svc-key-2025"/i, 'keyid="svc-key-2026"'),
    });
    assert.deepStrictEqual([moved.status, moved.code], [401, 'signature_invalid']);
    assert.deepStrictEqual(runs, [{ route: 'orders', principal: 'svc' }]);
  });

  it('the same in the headers layout: the keyId in X-API-Key is signed too', async () => {
    const guard = createGuard({
      schemes: [signatureScheme({ keys: memorySigningKeys([OLD, NEW]), layout: 'headers' })],
    });
    const own: Run[] = [];
    const server = await adapters[0]![1](guard, own);
    try {
      const headers = signedBy(server, 'headers-nonce-0123456789abcdef', 'headers', '/orders', OLD);
      assert.equal((await post(server, '/orders', headers)).status, 200);
      const moved = await post(server, '/orders', { ...headers, 'x-api-key': NEW.keyId });
      assert.deepStrictEqual([moved.status, moved.code], [401, 'signature_invalid']);
      assert.equal(own.length, 1);
    } finally {
      await server.close();
    }
  });
});

/** A signed POST {target} for `app` with the nonce given, signed by hand as any client could. */
function signedBy(
  app: App,
  nonce: string,
  layout: 'authorization' | 'headers' = 'authorization',
  target = '/orders',
  key: { keyId: string; secret: string } = KEY,
): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key.secret)
    .update(
      signingString({
        keyId: key.keyId,
        method: 'POST',
        authority: new URL(app.url).host,
        target,
        timestamp,
        nonce,
        bodySha256: createHash('sha256').update(BODY).digest('hex'),
      }),
    )
    .digest('hex');
  return layout === 'headers'
    ? { 'x-api-key': key.keyId, 'x-timestamp': timestamp, 'x-nonce': nonce, 'x-signature': signature }
    : {
        authorization: `${SIGNATURE_SCHEME} keyId="${key.keyId}", timestamp="${timestamp}", nonce="${nonce.replace(/["\\]/g, '\\$&')}", signature="${signature}"`,
      };
}

describe('signed requests: a nonce of the documented format only, checked before any lookup', () => {
  for (const layout of ['authorization', 'headers'] as const) {
    const runs: Run[] = [];
    const calls = { keys: 0, nonces: 0 };
    let app: Target;
    before(async () => {
      const keys = memorySigningKeys([KEY]);
      const nonces = memoryNonces();
      const guard = createGuard({
        schemes: [
          signatureScheme({
            layout,
            keys: {
              findSigningKey: (keyId) => {
                calls.keys++;
                return keys.findSigningKey(keyId);
              },
            },
            nonces: {
              remember: (...args) => {
                calls.nonces++;
                return nonces.remember(...args);
              },
            },
          }),
        ],
      });
      app = await adapters[0]![1](guard, runs);
    });
    after(() => app.close());

    it(`${layout}: a long or odd nonce is refused 400, and neither the keys nor the replay cache is asked`, async () => {
      const malformed = [
        'n'.repeat(15),
        'n'.repeat(129),
        'n'.repeat(8000),
        'n'.repeat(14_000),
        'a nonce with spaces 0123',
        'base64/with+plus=0123456',
        'dotted.nonce.0123456789',
        'colon:nonce:0123456789',
        'quoted"nonce\\0123456789',
        'latin1-\u00fc\u00ef-0123456789',
      ];
      for (const nonce of malformed) {
        runs.length = 0;
        const answer = await post(app, '/orders', signedBy(app, nonce, layout));
        assert.deepStrictEqual(
          [answer.status, answer.code, runs, calls],
          [400, 'credentials_malformed', [], { keys: 0, nonces: 0 }],
          `nonce of ${nonce.length} characters: ${nonce.slice(0, 30)}`,
        );
      }
    });

    it(`${layout}: nonces of 16 and 128 characters of [A-Za-z0-9_-] verify once, and their replay is refused`, async () => {
      for (const nonce of [`${Date.now()}`.padEnd(16, '_'), `${Date.now()}-`.padEnd(128, 'aZ09_-')]) {
        runs.length = 0;
        const headers = signedBy(app, nonce, layout);
        const first = await post(app, '/orders', headers);
        assert.deepStrictEqual([first.status, runs], [200, [{ route: 'orders', principal: 'svc' }]]);
        const replay = await post(app, '/orders', headers);
        assert.deepStrictEqual([replay.status, replay.code, runs.length], [401, 'signature_replayed', 1]);
      }
    });
  }
});

describe('signed requests: a replay is refused on every nonce store', () => {
  const stores: Array<
    [string, (t: TestContext) => Promise<{ nonces: NonceStore; done: () => Promise<void> } | undefined>]
  > = [
    ['memory', async () => ({ nonces: memoryNonces(), done: async () => {} })],
    [
      'sqlite',
      async () => {
        const store = await openStore('sqlite::memory:');
        return { nonces: store.nonces, done: () => store.close() };
      },
    ],
    [
      'postgres',
      async (t) => {
        if (!(await requirePostgres(t))) return undefined;
        const schema = runSchema('signed_nonces');
        const store = await openStore(POSTGRES_URL, { namespace: schema });
        return {
          nonces: store.nonces,
          done: async () => {
            await store.close();
            await dropSchema(schema);
          },
        };
      },
    ],
    [
      'redis',
      async (t) => {
        const redis = await connectRedis(t);
        if (!redis) return undefined;
        return {
          nonces: redisNonces(redis, { prefix: runPrefix('signed-nonces') }),
          done: async () => void redis.disconnect(),
        };
      },
    ],
  ];
  for (const [name, open] of stores) {
    it(`${name}: the longest nonce allowed, and the client's own, verify once`, async (t) => {
      const opened = await open(t);
      if (!opened) return;
      const runs: Run[] = [];
      const app = await adapters[0]![1](signedGuard({ nonces: opened.nonces }), runs);
      try {
        const captures = [
          signedBy(app, `${name}-${Date.now()}-`.padEnd(128, 'n')),
          { authorization: await signatureFor(`${app.url}/orders`) },
        ];
        for (const headers of captures) {
          assert.equal((await post(app, '/orders', headers)).status, 200);
          const replay = await post(app, '/orders', headers);
          assert.deepStrictEqual([replay.status, replay.code], [401, 'signature_replayed']);
        }
        assert.equal(runs.length, 2);
      } finally {
        await app.close();
        await opened.done();
      }
    });
  }
});
