/**
 * Attacks that try to end the process with one request: a Host that is no URL authority, NUL,
 * control and invalid UTF-8 bytes and bad percent-encoding in every field of every endpoint,
 * repeated and oversized fields, sent as hand-written bytes to every listener (node:http
 * protect() with each scheme that reads the URL or the body, idempotency(), mountFetch() with the
 * authorization server, Express, Fastify, Hono on @hono/node-server, the playground) on every
 * store. The listeners run in a child process with no crash handler: after every attack it must
 * still run and answer. A store that fails answers 5xx problem+json and logs one line.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it, type TestContext } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import pg from 'pg';
import { mountFetch as expressMountFetch } from '../../src/adapters/express/index.ts';
import { mountFetch as fastifyMountFetch } from '../../src/adapters/fastify/index.ts';
import { mountFetch as honoMountFetch } from '../../src/adapters/hono/index.ts';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import { SIGNATURE_SCHEME } from '../../src/http/index.ts';
import {
  basicScheme,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  memorySigningKeys,
  openStore,
  signatureScheme,
} from '../../src/server/index.ts';
import { redisNonces } from '../../src/stores/redis.ts';
import { sqlStore } from '../../src/stores/sql-store.ts';
import { serveHono } from '../support/adapter-apps.ts';
import { exchange, type Listeners, request, type StoreKind, startListeners } from '../support/raw-http.ts';
import { listen } from '../support/server.ts';
import { connectRedis, dropSchema, requirePostgres, runSchema } from '../support/services.ts';
import { fuzzSockets } from '../support/socket-fuzz.ts';

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const FORM = ['content-type', 'application/x-www-form-urlencoded'] as const;
const SVC = b64('svc:svc-secret-0123456789abcdef');

interface Paths {
  api: string;
  query: string;
  signed: string;
}
interface Attack {
  name: string;
  bytes: (paths: Paths, apiKey: string) => Buffer;
  /** The answer Gatehouse itself must give (not Node's parser, not a framework's). */
  expect?: { status: number; code?: string; oauthError?: string };
  /** Only where Gatehouse builds the URL (the frameworks build their own). */
  gatehouseUrl?: boolean;
}

const HOSTS = [
  'a b',
  '[',
  'x:99999',
  'a%b',
  'a@b:c',
  'x/y?z',
  '[::1',
  '\xff\xfe',
  `${'a'.repeat(300)} :1`,
  'a:b:c',
  '',
]; // '*' is a sub-delim: a valid reg-name
const BAD_VALUES = ['a\x00b', 'a\x01b', '\x7f', '\xff\xfe', '%00', '%zz', '%C0%80', '%ED%A0%80', '%'];
const FORM_FIELDS = ['grant_type', 'client_id', 'client_secret', 'username', 'password', 'scope', 'refresh_token'];

function formWith(field: string, value: string): string {
  const form: Record<string, string> = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'x' };
  form[field] = value;
  return Object.entries(form)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const attacks: Attack[] = [
  ...HOSTS.flatMap((host): Attack[] => [
    {
      name: `Host ${JSON.stringify(host.slice(0, 12))}: API key in the query`,
      bytes: (p, key) => request('GET', `${p.query}?api_key=${key}`, [['Host', host]]),
      expect: { status: 400, code: 'request_invalid' },
      gatehouseUrl: true,
    },
    {
      name: `Host ${JSON.stringify(host.slice(0, 12))}: signed request`,
      bytes: (p) =>
        request(
          'POST',
          p.signed,
          [
            ['Host', host],
            ['Content-Type', 'application/json'],
            [
              'Authorization',
              `${SIGNATURE_SCHEME} keyId="key-1", timestamp="1", nonce="nonce-0123456789abcdef", signature="00"`,
            ],
          ],
          '{}',
        ),
      expect: { status: 400, code: 'request_invalid' },
      gatehouseUrl: true,
    },
    {
      name: `Host ${JSON.stringify(host.slice(0, 12))}: token endpoint`,
      bytes: () =>
        request(
          'POST',
          '/oauth/token',
          [['Host', host], FORM, ['Authorization', `Basic ${SVC}`]],
          'grant_type=client_credentials',
        ),
      expect: { status: 400, code: 'request_invalid' },
      gatehouseUrl: true,
    },
    {
      name: `Host ${JSON.stringify(host.slice(0, 12))}: metadata`,
      bytes: () => request('GET', '/.well-known/oauth-authorization-server', [['Host', host]]),
      expect: { status: 400, code: 'request_invalid' },
      gatehouseUrl: true,
    },
  ]),
  {
    // Node's own parser refuses DEL in a field value: answered 400 before any listener runs.
    name: 'Host with DEL',
    bytes: (p, key) => request('GET', `${p.query}?api_key=${key}`, [['Host', 'h\x7f']]),
  },
  {
    name: 'a request target in absolute-form with userinfo',
    bytes: (p, key) => request('GET', `http://u:p@a.test${p.query}?api_key=${key}`, [['Host', 'a.test']]),
  },
  {
    name: 'no Host at all',
    bytes: (p, key) => Buffer.from(`GET ${p.query}?api_key=${key} HTTP/1.0\r\n\r\n`),
  },
  ...FORM_FIELDS.flatMap((field) =>
    BAD_VALUES.map(
      (value): Attack => ({
        name: `token endpoint: ${field}=${JSON.stringify(value)}`,
        bytes: () => request('POST', '/oauth/token', [['Host', 'api.test'], FORM], formWith(field, value)),
        // RFC 6749 §5.2: a malformed parameter is invalid_request; a NUL never reaches a store.
        ...((field === 'client_id' || field === 'username') && value.includes('\x00')
          ? { expect: { status: 400, oauthError: 'invalid_request' } }
          : {}),
      }),
    ),
  ),
  ...['svc\x00:x', '%00:x', 'svc%00:x', '%zz:x', '\xff\xfe:x', 'svc:%00', 'svc:\x00', '\x01:\x01'].map(
    (pair): Attack => ({
      name: `token endpoint: Basic client ${JSON.stringify(pair)}`,
      bytes: () =>
        request(
          'POST',
          '/oauth/token',
          [['Host', 'api.test'], FORM, ['Authorization', `Basic ${b64(pair)}`]],
          'grant_type=client_credentials',
        ),
      // A raw NUL is refused by the Basic parser already; a percent-encoded one decodes to NUL.
      ...(/^(svc)?%00/.test(pair) ? { expect: { status: 400, oauthError: 'invalid_request' } } : {}),
    }),
  ),
  ...BAD_VALUES.map(
    (value): Attack => ({
      name: `revocation: token=${JSON.stringify(value)}`,
      bytes: () =>
        request(
          'POST',
          '/oauth/revoke',
          [['Host', 'api.test'], FORM, ['Authorization', `Basic ${SVC}`]],
          `token=${value}`,
        ),
    }),
  ),
  ...BAD_VALUES.map(
    (value): Attack => ({
      name: `query: api_key=${JSON.stringify(value)}`,
      bytes: (p) => request('GET', `${p.query}?api_key=${value}`, [['Host', 'api.test']]),
    }),
  ),
  ...[
    'Bearer \x01',
    'Bearer a\x00b',
    'Basic \xff\xfe',
    `Basic ${b64('alice\x00:x')}`,
    `Basic ${b64('\xff:\xfe')}`,
    `${SIGNATURE_SCHEME} keyId="\x7f", timestamp="1", nonce="\xff", signature="zz"`,
    `${SIGNATURE_SCHEME} keyId="key-1", timestamp="99999999999999999999", nonce="a\\"b", signature="00"`,
  ].map(
    (value): Attack => ({
      name: `Authorization ${JSON.stringify(value.slice(0, 24))}`,
      bytes: (p) =>
        request(
          'POST',
          p.api,
          [
            ['Host', 'api.test'],
            ['Authorization', value],
          ],
          '{}',
        ),
    }),
  ),
  {
    name: 'Cookie and Idempotency-Key of invalid UTF-8',
    bytes: () =>
      request(
        'POST',
        '/orders',
        [
          ['Host', 'api.test'],
          ['Cookie', '\xff\xfe=\xff'],
          ['Idempotency-Key', '\xff\xfe'],
        ],
        '{}',
      ),
  },
  {
    name: 'two Authorization fields',
    bytes: (p) =>
      request('GET', p.api, [
        ['Host', 'api.test'],
        ['Authorization', 'Bearer a'],
        ['Authorization', `Basic ${b64('alice:x')}`],
      ]),
  },
  {
    name: 'two Host fields',
    bytes: (p, key) =>
      request('GET', `${p.query}?api_key=${key}`, [
        ['Host', 'a.test'],
        ['Host', 'b.test'],
      ]),
  },
  {
    name: 'two different Content-Length fields',
    bytes: (p) =>
      request(
        'POST',
        p.signed,
        [
          ['Host', 'api.test'],
          ['Content-Length', '2'],
          ['Content-Length', '3'],
        ],
        '{}',
      ),
  },
  {
    name: 'an oversized header',
    bytes: (p) =>
      request('GET', p.api, [
        ['Host', 'api.test'],
        ['X-Big', 'x'.repeat(20_000)],
      ]),
  },
  {
    name: 'three hundred headers',
    bytes: (p) =>
      request('GET', p.api, [
        ['Host', 'api.test'],
        ...Array.from({ length: 300 }, (_, i) => [`X-H${i}`, 'v'] as const),
      ]),
  },
  {
    name: 'chunked body with a broken chunk size',
    bytes: () =>
      request(
        'POST',
        '/oauth/token',
        [['Host', 'api.test'], FORM, ['Transfer-Encoding', 'chunked']],
        '5\r\ngrant\r\nzz\r\n',
      ),
  },
];

const LISTENERS = ['node', 'express', 'fastify', 'hono', 'playground'] as const;
const pathsOf = (listener: string): Paths =>
  listener === 'playground'
    ? { api: '/api/me', query: '/api/me', signed: '/api/signed' }
    : { api: '/api', query: '/query', signed: '/signed' };

/** A well-formed request every listener answers 200. */
const healthy = () => request('GET', '/.well-known/oauth-authorization-server', [['Host', `api.test`]]);

async function attackAll(listeners: Listeners, listener: (typeof LISTENERS)[number]): Promise<void> {
  const port = listeners.ports[listener];
  const paths = pathsOf(listener);
  for (const attack of attacks) {
    const answer = await exchange(port, attack.bytes(paths, listeners.apiKey));
    assert.ok(listeners.alive(), `${listener}: ${attack.name} ended the process: ${listeners.stderr()}`);
    assert.ok(
      answer.status !== undefined && answer.status < 500,
      `${listener}: ${attack.name} answered ${answer.status ?? 'nothing'}\n${answer.head}\n${answer.body}`,
    );
    if (attack.expect && (!attack.gatehouseUrl || !['hono', 'playground'].includes(listener))) {
      assert.equal(answer.status, attack.expect.status, `${listener}: ${attack.name}: ${answer.body}`);
      if (attack.expect.code) {
        assert.match(answer.head, /content-type: application\/problem\+json/i, `${listener}: ${attack.name}`);
        assert.equal(JSON.parse(answer.body).code, attack.expect.code, `${listener}: ${attack.name}`);
      }
      if (attack.expect.oauthError)
        assert.equal(JSON.parse(answer.body).error, attack.expect.oauthError, `${listener}: ${attack.name}`);
    }
    const next = await exchange(port, healthy());
    assert.equal(next.status, 200, `${listener}: after ${attack.name}, the next request: ${next.head}`);
  }
}

const STORES: Array<[StoreKind, (t: TestContext) => Promise<boolean>]> = [
  ['memory', async () => true],
  ['sqlite', async () => true],
  ['postgres', requirePostgres],
  [
    'redis',
    async (t) => {
      const redis = await connectRedis(t);
      await redis?.quit();
      return redis !== undefined;
    },
  ],
];

for (const [kind, available] of STORES) {
  describe(`crash: every listener on the ${kind} store survives every malformed request`, () => {
    let listeners: Listeners | undefined;
    const namespace = runSchema(`crash_${kind}`);
    before(async (t) => {
      if (await available(t as unknown as TestContext)) listeners = await startListeners(kind, namespace);
    });
    after(async () => {
      await listeners?.stop();
      if (kind === 'postgres' && listeners) {
        await dropSchema(namespace);
        await dropSchema(`${namespace}_pg`);
      }
    });
    for (const listener of LISTENERS) {
      it(`${listener}: ${attacks.length} attacks, each followed by a request that is answered`, async (t) => {
        if (!listeners) return t.skip(`${kind} is not available`);
        await attackAll(listeners, listener);
        assert.ok(listeners.alive());
      });
    }
  });
}

/** The real pg driver against a port where nothing listens: every query fails to connect. */
function unreachablePostgres() {
  const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 500 });
  pool.on('error', () => {});
  return sqlStore(
    'postgres',
    {
      all: async (sql, params) => (await pool.query(sql, params)).rows,
      run: async (sql, params) => (await pool.query(sql, params)).rowCount ?? 0,
    },
    () => pool.end(),
  );
}

describe('crash: a store that fails is the server’s failure, answered 5xx with one log line', () => {
  const logged: string[] = [];
  let errorHook: ((line: string) => void) | undefined;
  const onError = (failure: { source: string; reason: string }) => {
    errorHook?.(`${failure.reason} ${failure.source}`);
    logged.push(`${failure.reason} ${failure.source}`);
  };

  it('Postgres unreachable: Basic on the guard answers 503 store_unavailable with Retry-After, never 401', async () => {
    const store = unreachablePostgres();
    const guard = createGuard({ schemes: [basicScheme({ users: store.users })], onError });
    const { port, close } = await listen(createServer(protect(guard, (_req, res) => res.end('ran'))));
    try {
      const before = logged.length;
      const answer = await exchange(
        port,
        request('GET', '/', [
          ['Host', 'api.test'],
          ['Authorization', `Basic ${b64('alice:alice-password-1')}`],
        ]),
      );
      assert.equal(answer.status, 503, answer.head);
      assert.match(answer.head, /retry-after: \d+/i);
      assert.match(answer.head, /content-type: application\/problem\+json/i);
      assert.equal(JSON.parse(answer.body).code, 'store_unavailable');
      assert.doesNotMatch(answer.body, /alice-password|127\.0\.0\.1:1|ECONNREFUSED|at /);
      assert.equal(logged.length - before, 1, 'one log line');
      assert.match(logged.at(-1)!, /store_unavailable .*basic/);
      assert.doesNotMatch(logged.at(-1)!, /alice-password/);
    } finally {
      await close();
      await store.close().catch(() => {});
    }
  });

  it('Redis unreachable: a signed request answers 503 store_unavailable, and the next request is served', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => {});
    const secret = 'signing-secret-0123';
    const guard = createGuard({
      schemes: [
        signatureScheme({
          keys: memorySigningKeys([{ id: 'svc', keyId: 'key-1', secret, scopes: [] }]),
          nonces: redisNonces(redis, { prefix: 'crash:' }),
          layout: 'headers',
        }),
      ],
      onError,
    });
    const { port, close } = await listen(createServer(protect(guard, (_req, res) => res.end('ran'))));
    const { createHash, createHmac } = await import('node:crypto');
    const { signingString } = await import('../../src/http/index.ts');
    const sign = (nonce: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', secret)
        .update(
          signingString({
            keyId: 'key-1',
            method: 'POST',
            authority: 'api.test',
            target: '/',
            timestamp,
            nonce,
            bodySha256: createHash('sha256').update('{}').digest('hex'),
          }),
        )
        .digest('hex');
      return request(
        'POST',
        '/',
        [
          ['Host', 'api.test'],
          ['X-API-Key', 'key-1'],
          ['X-Timestamp', timestamp],
          ['X-Nonce', nonce],
          ['X-Signature', signature],
        ],
        '{}',
      );
    };
    try {
      for (const nonce of ['nonce-unreachable-1', 'nonce-unreachable-2']) {
        const answer = await exchange(port, sign(nonce));
        assert.equal(answer.status, 503, answer.head);
        assert.equal(JSON.parse(answer.body).code, 'store_unavailable');
        assert.doesNotMatch(answer.body, /ran/);
      }
    } finally {
      await close();
      redis.disconnect();
    }
  });

  it('the token endpoint on a failing store answers 503 problem+json through mountFetch, and goes on', async () => {
    const store = await openStore('sqlite::memory:');
    const down = unreachablePostgres();
    const service = createTokenService({ store, issuer: 'https://crash.test' });
    const server = createAuthorizationServer({
      service,
      legacyPasswordGrant: true,
      users: store.users,
      clients: down.clients,
      onError,
    });
    const { port, close } = await listen(createServer(mountFetch(server.handle)));
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await exchange(
          port,
          request(
            'POST',
            '/oauth/token',
            [['Host', 'api.test'], FORM],
            'grant_type=client_credentials&client_id=svc&client_secret=s3cret-value',
          ),
        );
        assert.equal(answer.status, 503, answer.head);
        assert.match(answer.head, /content-type: application\/problem\+json/i);
        assert.equal(JSON.parse(answer.body).code, 'store_unavailable');
        assert.doesNotMatch(answer.body, /127\.0\.0\.1|ECONNREFUSED|s3cret/);
      }
      assert.ok(logged.every((line) => !line.includes('s3cret')));
    } finally {
      await close();
      await store.close();
      await down.close().catch(() => {});
    }
  });
});

describe('crash: random requests over raw sockets (short; npm run fuzz sends thousands)', () => {
  it('every listener on SQLite: 60 random requests each, the process runs and none is answered 5xx', async () => {
    const listeners = await startListeners('sqlite', runSchema('fuzz'));
    try {
      const sent = await fuzzSockets(listeners, 60);
      assert.equal(sent, 300);
      assert.ok(listeners.alive());
    } finally {
      await listeners.stop();
    }
  });
});

describe('crash: every fetch mount answers a failing handler 5xx problem+json, and goes on', () => {
  // A handler whose store is out of reach, the way pg and ioredis report it.
  let calls = 0;
  const failing = async (): Promise<Response | undefined> => {
    calls++;
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  };
  const failures: string[] = [];
  const onError = (failure: { reason: string; source: string }) =>
    void failures.push(`${failure.reason} ${failure.source}`);
  const mounts: Record<string, () => Promise<{ port: number; close(): Promise<void> }>> = {
    mountFetch: async () => listen(createServer(mountFetch(failing, { onError }))),
    'Express mountFetch': async () => {
      const app = express();
      app.use(expressMountFetch(failing, { onError }));
      return listen(createServer(app));
    },
    'Fastify mountFetch': async () => {
      const app = Fastify();
      await app.register(fastifyMountFetch, { handler: failing, paths: ['/oauth/token'], onError });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { ...(await listen(app.server)), close: () => app.close() };
    },
    'Hono mountFetch': async () => {
      const app = new Hono();
      app.use(honoMountFetch(failing, { onError }));
      return serveHono(app);
    },
  };
  for (const [name, mount] of Object.entries(mounts)) {
    it(`${name}: 503 store_unavailable with Retry-After, one onError line, nothing of the error`, async () => {
      const app = await mount();
      try {
        for (let i = 0; i < 2; i++) {
          const seen = failures.length;
          const answer = await exchange(
            app.port,
            request('POST', '/oauth/token', [['Host', 'api.test'], FORM], 'grant_type=client_credentials'),
          );
          assert.equal(answer.status, 503, answer.head);
          assert.match(answer.head, /retry-after: \d+/i);
          assert.equal(JSON.parse(answer.body).code, 'store_unavailable');
          assert.doesNotMatch(answer.body, /ECONNREFUSED|5432/);
          assert.deepStrictEqual(failures.slice(seen), ['store_unavailable fetch handler']);
        }
      } finally {
        await app.close();
      }
    });
  }
  after(() => assert.ok(calls >= 8));
});
