/**
 * Credentials a middleware changed: an earlier middleware may set, replace or delete the
 * Authorization, API-key or Cookie field (a cookie-to-bearer bridge, a gateway that swaps the
 * user's credential for its own service credential, a filter that strips it). The guard must
 * judge what the app's request holds when the guard runs, which is what the handler sees, never
 * the client's original line. Each case is sent over a real socket to every adapter, with the
 * middleware editing the headers in place and replacing the headers object; the server records
 * the principal each run of the handler had. The token endpoint, mounted behind the same kind
 * of middleware with mountFetch on node:http, Express and Fastify,
 * must likewise authenticate the client the app's request holds.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono, type MiddlewareHandler } from 'hono';
import { mountFetch as expressMountFetch, protect as expressProtect } from '../../src/adapters/express/index.ts';
import {
  mountFetch as fastifyMountFetch,
  protect as fastifyProtect,
  gatehousePlugin,
} from '../../src/adapters/fastify/index.ts';
import { type GatehouseVariables, protect as honoProtect } from '../../src/adapters/hono/index.ts';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import type { Guard } from '../../src/server/index.ts';
import { createAuthorizationServer } from '../../src/server/tokens/authorization-server.ts';
import { createTokenService } from '../../src/server/tokens/token-service.ts';
import { memoryStore } from '../../src/stores/memory.ts';
import { type App, serveHono } from '../support/adapter-apps.ts';
import { basicHeader, type Fixture, fixture } from '../support/guard-fixture.ts';
import { listen } from '../support/server.ts';

/** What a middleware does to one header field before the guard runs. */
type Edit = { set: [name: string, value: string] } | { delete: string };
/** How it does it: on the headers object the request holds, or by giving the request a new one. */
type Form = 'in place' | 'new headers object';
/** A server whose middleware applies the edits of the case named by the path, `/case/<i>`. */
type Start = (guard: Guard, form: Form, runs: Array<string | undefined>) => Promise<App>;

const ALICE = basicHeader('alice', 'alice-password-1');
const ADMIN = basicHeader('admin', 'admin-password-1');
const WRONG = basicHeader('alice', 'not-her-password');

/** [what the middleware does, lines the client sends, the middleware's edits, status, principal or reason code]. */
type Case = [string, Array<[string, string]>, Edit[], number, string];

const f: Fixture = await fixture();
const guard = f.guard(['basic', 'apiKey', 'session']);
const auth = (value: string): Edit => ({ set: ['authorization', value] });

const cases: Case[] = [
  ['sets Authorization where the client sent none', [], [auth(ALICE)], 200, 'u-alice'],
  ['replaces valid credentials by wrong ones', [['Authorization', ALICE]], [auth(WRONG)], 401, 'credentials_invalid'],
  ['replaces wrong credentials by valid ones', [['Authorization', WRONG]], [auth(ALICE)], 200, 'u-alice'],
  // A gateway swapping the user's credential for its own: the guard must not see the user's.
  ["swaps the client's credentials for a service account's", [['Authorization', ALICE]], [auth(ADMIN)], 200, 'u-admin'],
  ['deletes Authorization', [['Authorization', ALICE]], [{ delete: 'authorization' }], 401, 'credentials_missing'],
  // The client repeated the field; the middleware's value is now the only one the app holds.
  [
    'replaces a repeated Authorization with one value',
    [
      ['Authorization', ALICE],
      ['Authorization', WRONG],
    ],
    [auth(ADMIN)],
    200,
    'u-admin',
  ],
  [
    'deletes a repeated Authorization',
    [
      ['Authorization', ALICE],
      ['Authorization', ADMIN],
    ],
    [{ delete: 'authorization' }],
    401,
    'credentials_missing',
  ],
  // Untouched, a repeated field stays what the client sent: ambiguous, 400 (RFC 9110 §5.3).
  [
    'leaves a repeated Authorization alone',
    [
      ['Authorization', ALICE],
      ['Authorization', ADMIN],
    ],
    [],
    400,
    'credentials_malformed',
  ],
  ['sets X-API-Key where the client sent none', [], [{ set: ['x-api-key', f.apiKey] }], 200, 'svc-reports'],
  [
    "replaces the client's X-API-Key",
    [['X-API-Key', f.expiredApiKey]],
    [{ set: ['x-api-key', f.apiKey] }],
    200,
    'svc-reports',
  ],
  ['deletes X-API-Key', [['X-API-Key', f.apiKey]], [{ delete: 'x-api-key' }], 401, 'credentials_missing'],
  ['sets the session Cookie', [], [{ set: ['cookie', f.sessionCookie] }], 200, 'u-alice'],
  ['deletes the session Cookie', [['Cookie', f.sessionCookie]], [{ delete: 'cookie' }], 401, 'credentials_missing'],
];

function editsOf(path: string | undefined): Edit[] {
  const match = /^\/case\/(\d+)/.exec(path ?? '');
  return match ? (cases[Number(match[1])]?.[2] ?? []) : [];
}

/** Applies the edits to a Node-style headers object (lower-case names), in place or on a copy. */
function edited(headers: IncomingHttpHeaders, edits: Edit[], form: Form): IncomingHttpHeaders {
  const target = form === 'in place' ? headers : { ...headers };
  for (const edit of edits) {
    if ('set' in edit) target[edit.set[0]] = edit.set[1];
    // A copy keeps the name with no value: Fastify merges a new headers object over the parsed
    // one, so that is how a Fastify middleware removes a field; node:http and Express read it as absent.
    else if (form === 'in place') delete target[edit.delete];
    else target[edit.delete] = undefined;
  }
  return target;
}

const adapters: Array<[string, Start]> = [
  [
    'node:http protect() behind a wrapper that edits req.headers',
    async (guard, form, runs) => {
      const guarded = protect(guard, (req, res) => {
        runs.push(req.auth?.id);
        res.end(JSON.stringify({ id: req.auth?.id }));
      });
      return listen(
        createServer((req, res) => {
          const headers = edited(req.headers, editsOf(req.url), form);
          if (form !== 'in place') req.headers = headers;
          return guarded(req, res);
        }),
      );
    },
  ],
  [
    'Express protect() after an app.use middleware',
    async (guard, form, runs) => {
      const app = express();
      app.use((req, _res, next) => {
        const headers = edited(req.headers, editsOf(req.path), form);
        if (form !== 'in place') req.headers = headers;
        next();
      });
      app.get('/case/:i', expressProtect(guard), (req, res) => {
        runs.push(req.auth?.id);
        res.json({ id: req.auth?.id });
      });
      return listen(createServer(app));
    },
  ],
  ...(['onRequest', 'preHandler'] as const).map((hook): [string, Start] => [
    `Fastify protect() after the app's ${hook} hook`,
    async (guard, form, runs) => {
      const app = Fastify();
      await app.register(gatehousePlugin, { guard });
      // The app's hooks run before the route's preHandler, where the guard is.
      app.addHook(hook, async (request) => {
        const headers = edited(request.headers, editsOf(request.url), form);
        if (form !== 'in place') request.headers = headers;
      });
      app.get('/case/:i', { preHandler: fastifyProtect(guard) }, async (request) => {
        runs.push(request.auth?.id);
        return { id: request.auth?.id };
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { ...(await listen(app.server)), close: () => app.close() };
    },
  ]),
  [
    'Hono protect() after a middleware (on @hono/node-server)',
    async (guard, form, runs) => {
      const app = new Hono<{ Variables: GatehouseVariables }>();
      const middleware: MiddlewareHandler = async (c, next) => {
        const headers = form === 'in place' ? c.req.raw.headers : new Headers(c.req.raw.headers);
        for (const edit of editsOf(c.req.path)) {
          if ('set' in edit) headers.set(...edit.set);
          else headers.delete(edit.delete);
        }
        if (form !== 'in place') c.req.raw = new Request(c.req.raw, { headers });
        await next();
      };
      app.use('/case/*', middleware);
      app.get('/case/:i', honoProtect(guard), (c) => {
        runs.push(c.get('auth')?.id);
        return c.json({ id: c.get('auth')?.id });
      });
      return serveHono(app);
    },
  ],
];

/** A GET (a form POST when given a form) with the given header lines as they are: a name given twice goes out as two lines. */
function send(url: string, lines: Array<[string, string]>, form?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, form === undefined ? {} : { method: 'POST' });
    if (form !== undefined) req.setHeader('content-type', 'application/x-www-form-urlencoded');
    const grouped = new Map<string, string[]>();
    for (const [name, value] of lines) grouped.set(name, [...(grouped.get(name) ?? []), value]);
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0]! : values);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(form);
  });
}

for (const [name, start] of adapters) {
  for (const form of ['in place', 'new headers object'] as const) {
    describe(`${name}, ${form}: the guard judges the credentials the app holds`, () => {
      let app: App;
      const runs: Array<string | undefined> = [];
      before(async () => {
        app = await start(guard, form, runs);
      });
      after(() => app.close());

      cases.forEach(([what, lines, , status, expected], i) => {
        it(`a middleware that ${what}: ${status === 200 ? `200 as ${expected}` : `${status} ${expected}`}`, async () => {
          const before = runs.length;
          const answer = await send(`${app.url}/case/${i}`, lines);
          const body = JSON.parse(answer.body) as { id?: string; code?: string };
          assert.deepStrictEqual(
            [answer.status, status === 200 ? body.id : body.code],
            [status, expected],
            `a middleware that ${what}`,
          );
          assert.deepStrictEqual(runs.slice(before), status === 200 ? [expected] : []);
        });
      });
    });
  }
}

/**
 * node:http's joinDuplicateHeaders puts repeated lines into req.headers as one value joined by
 * ", ": that is still the field Node parsed from the client's lines, so still a repeated field,
 * answered 400 with the sentence that says so, never judged as one odd credential.
 */
describe('a server that joins repeated fields (joinDuplicateHeaders): two Authorization fields stay 400', () => {
  const starts: Array<[string, () => Promise<App>]> = [
    [
      'node:http protect()',
      () =>
        listen(
          createServer(
            { joinDuplicateHeaders: true },
            protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth.id }))),
          ),
        ),
    ],
    [
      'Express protect()',
      () => {
        const app = express();
        app.get('/me', expressProtect(guard), (req, res) => void res.json({ id: req.auth?.id }));
        return listen(createServer({ joinDuplicateHeaders: true }, app));
      },
    ],
    [
      'Fastify protect()',
      async () => {
        const app = Fastify({ http: { joinDuplicateHeaders: true } });
        await app.register(gatehousePlugin, { guard });
        app.get('/me', { preHandler: fastifyProtect(guard) }, async (request) => ({ id: request.auth?.id }));
        await app.listen({ port: 0, host: '127.0.0.1' });
        return { ...(await listen(app.server)), close: () => app.close() };
      },
    ],
  ];
  for (const [name, start] of starts) {
    it(name, async () => {
      const app = await start();
      try {
        const answer = await send(`${app.url}/me`, [
          ['Authorization', ALICE],
          ['Authorization', ADMIN],
        ]);
        const body = JSON.parse(answer.body) as { code?: string; detail?: string };
        assert.deepStrictEqual([answer.status, body.code], [400, 'credentials_malformed']);
        assert.match(String(body.detail), /sent more than once/);
      } finally {
        await app.close();
      }
    });
  }
});

/**
 * The token endpoint behind a middleware that edits Authorization: a gateway that adds the
 * client's Basic credentials, swaps wrong ones for right ones or the reverse, strips them. The
 * endpoint must authenticate the client the app's request names, as the guard does.
 */
describe('the token endpoint authenticates the client the app holds, not the raw lines', async () => {
  const SVC_SECRET = 'svc-secret-0123456789';
  const SVC = basicHeader('svc', SVC_SECRET);
  const SVC_WRONG = basicHeader('svc', 'not-the-secret');
  const store = memoryStore();
  await store.clients.putClient({
    clientId: 'svc',
    secretHash: createHash('sha256').update(SVC_SECRET).digest('hex'),
    grants: ['client_credentials'],
    scopes: ['read'],
  });
  const service = createTokenService({ store, issuer: 'https://auth.test' });
  const oauth = createAuthorizationServer({
    service,
    legacyPasswordGrant: true,
    users: store.users,
    clients: store.clients,
  });
  const tokenPath = oauth.paths.token;

  /** [what the middleware does, lines the client sends, the middleware's edits, status, error or 'token']. */
  const tokenCases: Case[] = [
    ['sets Authorization where the client sent none', [], [auth(SVC)], 200, 'token'],
    ['replaces wrong client credentials by right ones', [['Authorization', SVC_WRONG]], [auth(SVC)], 200, 'token'],
    [
      'replaces right client credentials by wrong ones',
      [['Authorization', SVC]],
      [auth(SVC_WRONG)],
      401,
      'invalid_client',
    ],
    // No credentials left and no client_id in the body: RFC 6749 §5.2, 400 invalid_client.
    ['deletes Authorization', [['Authorization', SVC]], [{ delete: 'authorization' }], 400, 'invalid_client'],
    [
      'replaces a repeated Authorization with one value',
      [
        ['Authorization', SVC_WRONG],
        ['Authorization', SVC_WRONG],
      ],
      [auth(SVC)],
      200,
      'token',
    ],
    // Untouched, a repeated field stays what the client sent: refused, never one of its lines picked.
    [
      'leaves a repeated Authorization alone',
      [
        ['Authorization', SVC],
        ['Authorization', SVC],
      ],
      [],
      401,
      'invalid_client',
    ],
  ];
  const editsFor = (headers: IncomingHttpHeaders) => tokenCases[Number(headers['x-case'])]?.[2] ?? [];

  const mounts: Array<[string, (form: Form) => Promise<App>]> = [
    [
      'node:http mountFetch() behind a wrapper that edits req.headers',
      (form) => {
        const endpoint = mountFetch(oauth.handle);
        return listen(
          createServer((req, res) => {
            const headers = edited(req.headers, editsFor(req.headers), form);
            if (form !== 'in place') req.headers = headers;
            return endpoint(req, res);
          }),
        );
      },
    ],
    [
      'Express mountFetch() after an app.use middleware',
      (form) => {
        const app = express();
        app.use((req, _res, next) => {
          const headers = edited(req.headers, editsFor(req.headers), form);
          if (form !== 'in place') req.headers = headers;
          next();
        });
        app.use(expressMountFetch(oauth.handle));
        return listen(createServer(app));
      },
    ],
    [
      "Fastify mountFetch() after the app's onRequest hook",
      async (form) => {
        const app = Fastify();
        app.addHook('onRequest', async (request) => {
          const headers = edited(request.headers, editsFor(request.headers), form);
          if (form !== 'in place') request.headers = headers;
        });
        await app.register(fastifyMountFetch, { handler: oauth.handle, paths: Object.values(oauth.paths) });
        await app.listen({ port: 0, host: '127.0.0.1' });
        return { ...(await listen(app.server)), close: () => app.close() };
      },
    ],
  ];

  for (const [name, start] of mounts) {
    for (const form of ['in place', 'new headers object'] as const) {
      describe(`${name}, ${form}`, () => {
        let app: App;
        before(async () => {
          app = await start(form);
        });
        after(() => app.close());
        tokenCases.forEach(([what, lines, , status, expected], i) => {
          it(`a middleware that ${what}: ${status} ${expected}`, async () => {
            const answer = await send(
              `${app.url}${tokenPath}`,
              [...lines, ['X-Case', String(i)]],
              'grant_type=client_credentials',
            );
            const body = JSON.parse(answer.body) as { access_token?: string; error?: string };
            assert.deepStrictEqual(
              [answer.status, status === 200 ? (body.access_token ? 'token' : answer.body) : body.error],
              [status, expected],
              `a middleware that ${what}: ${answer.body}`,
            );
          });
        });
      });
    }
  }
});
