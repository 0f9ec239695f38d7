/**
 * Guard bypass: every way a request might reach protected code without a principal. Each case is
 * an attack that must fail, sent over a real socket to every adapter, mounted for one route and
 * as a catch-all; the server counts the handler's runs and the principal each one had.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono, type MiddlewareHandler } from 'hono';
import { preflight as expressPreflight, protect as expressProtect } from '../../src/adapters/express/index.ts';
import { protect as fastifyProtect, gatehousePlugin } from '../../src/adapters/fastify/index.ts';
import {
  type GatehouseVariables,
  preflight as honoPreflight,
  protect as honoProtect,
  protectHandler,
} from '../../src/adapters/hono/index.ts';
import { protect } from '../../src/adapters/node/index.ts';
import { type Guard, requireScopes } from '../../src/server/index.ts';
import { type App, serveHono } from '../support/adapter-apps.ts';
import { basicHeader, type Fixture, fixture } from '../support/guard-fixture.ts';
import { listen } from '../support/server.ts';

/** One run of the protected handler, as the server saw it. */
interface Run {
  method: string;
  principal: string | undefined;
}

type Mount = 'route' | 'catch-all';
type Start = (guard: Guard, mount: Mount, runs: Run[]) => Promise<App>;

const admin = requireScopes('admin');
const ALICE = basicHeader('alice', 'alice-password-1'); // scope read, no admin
const ADMIN = basicHeader('admin', 'admin-password-1');
const WRONG = basicHeader('alice', 'not-her-password');

/** The protected paths: `/r` for anyone authenticated, `/admin` with scope admin. */
const adapters: Array<[string, Start]> = [
  [
    'node:http protect()',
    async (guard, mount, runs) => {
      const handler = (
        req: import('../../src/adapters/node/index.ts').AuthenticatedRequest,
        res: import('node:http').ServerResponse,
      ) => {
        runs.push({ method: req.method ?? '', principal: req.auth?.id });
        res.end(JSON.stringify({ id: req.auth?.id }));
      };
      if (mount === 'catch-all') return listen(createServer(protect(guard, handler)));
      // Routing by path, as examples/server-node.ts does.
      const me = protect(guard, handler);
      const adminOnly = protect(guard, handler, { permission: admin });
      return listen(createServer((req, res) => void (req.url === '/admin' ? adminOnly(req, res) : me(req, res))));
    },
  ],
  [
    'Express protect()',
    async (guard, mount, runs) => {
      const app = express();
      const handler = (req: express.Request, res: express.Response) => {
        runs.push({ method: req.method, principal: req.auth?.id });
        res.json({ id: req.auth?.id });
      };
      if (mount === 'catch-all') {
        app.use(expressProtect(guard));
        app.use(handler);
      } else {
        app.all('/r', expressProtect(guard), handler);
        app.all('/admin', expressProtect(guard, { permission: admin }), handler);
      }
      return listen(createServer(app));
    },
  ],
  [
    'Fastify protect()',
    async (guard, mount, runs) => {
      const app = Fastify();
      await app.register(gatehousePlugin, { guard });
      const handler = async (request: import('fastify').FastifyRequest) => {
        runs.push({ method: request.method, principal: request.auth?.id });
        return { id: request.auth?.id };
      };
      if (mount === 'catch-all') {
        app.addHook('preHandler', fastifyProtect(guard));
        app.all('/*', handler);
      } else {
        app.all('/r', { preHandler: fastifyProtect(guard) }, handler);
        app.all('/admin', { preHandler: fastifyProtect(guard, { permission: admin }) }, handler);
      }
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { ...(await listen(app.server)), close: () => app.close() };
    },
  ],
  [
    'Hono protect()',
    async (guard, mount, runs) => {
      const app = new Hono<{ Variables: GatehouseVariables }>();
      const handler = (c: HonoContext) => {
        runs.push({ method: c.req.method, principal: c.get('auth')?.id });
        return c.json({ id: c.get('auth')?.id });
      };
      if (mount === 'catch-all') {
        app.use('*', honoProtect(guard));
        app.all('*', handler);
      } else {
        app.all('/r', honoProtect(guard), handler);
        app.all('/admin', honoProtect(guard, { permission: admin }), handler);
      }
      return serveHono(app);
    },
  ],
  [
    'Hono protectHandler()',
    async (guard, mount, runs) => {
      const app = new Hono<{ Variables: GatehouseVariables }>();
      const handler = (c: HonoContext) => {
        runs.push({ method: c.req.method, principal: c.get('auth')?.id });
        return c.json({ id: c.get('auth')?.id });
      };
      if (mount === 'catch-all') app.all('*', protectHandler(guard, handler));
      else {
        app.all('/r', protectHandler(guard, handler));
        app.all('/admin', protectHandler(guard, handler, { permission: admin }));
      }
      return serveHono(app);
    },
  ],
];

type HonoContext = import('hono').Context<{ Variables: GatehouseVariables }>;

const PREFLIGHT = {
  origin: 'https://evil.test',
  'access-control-request-method': 'DELETE',
  'access-control-request-headers': 'authorization',
};

/** [what, path, headers, status]: none of them may run the handler. */
const attacks: Array<[string, string, Record<string, string>, number]> = [
  ['a CORS preflight without credentials', '/r', PREFLIGHT, 204],
  ['a CORS preflight with wrong credentials', '/r', { ...PREFLIGHT, authorization: WRONG }, 204],
  ['a CORS preflight with valid credentials', '/r', { ...PREFLIGHT, authorization: ALICE }, 204],
  ['a CORS preflight to a route that needs a scope', '/admin', PREFLIGHT, 204],
  ['a CORS preflight with credentials that lack the scope', '/admin', { ...PREFLIGHT, authorization: ALICE }, 204],
  [
    'a preflight asking for GET (a "simple" method)',
    '/r',
    { ...PREFLIGHT, 'access-control-request-method': 'GET' },
    204,
  ],
  ['a bare preflight header, no Origin', '/r', { 'access-control-request-method': 'POST' }, 204],
  ['a plain OPTIONS without credentials', '/r', {}, 401],
  ['a plain OPTIONS with wrong credentials', '/r', { authorization: WRONG }, 401],
  ['a plain OPTIONS with an Origin but no preflight header', '/r', { origin: 'https://evil.test' }, 401],
  ['a plain OPTIONS lacking the scope', '/admin', { authorization: ALICE }, 403],
];

let f: Fixture;
let guard: Guard;
before(async () => {
  f = await fixture();
  guard = f.guard(['bearer', 'basic', 'apiKey']);
});

async function options(app: App, path: string, headers: Record<string, string>) {
  const response = await fetch(app.url + path, { method: 'OPTIONS', headers });
  await response.arrayBuffer();
  return response;
}

for (const [name, start] of adapters) {
  for (const mount of ['route', 'catch-all'] as const) {
    describe(`${name}, mounted ${mount === 'route' ? 'per route' : 'as a catch-all'}: OPTIONS never reaches the handler without a principal`, () => {
      let app: App;
      const runs: Run[] = [];
      before(async () => {
        app = await start(guard, mount, runs);
      });
      after(() => app.close());

      // A catch-all mount has no per-path permission: the scope cases are the route mount's.
      for (const [what, path, headers, status] of attacks.filter(([, p]) => mount === 'route' || p !== '/admin')) {
        it(`${what}: ${status}, the handler does not run`, async () => {
          const before = runs.length;
          const response = await options(app, path, headers);
          assert.equal(response.status, status);
          assert.deepStrictEqual(runs.slice(before), []);
          // No CORS allowance without a cors policy on the guard.
          assert.equal(response.headers.get('access-control-allow-origin'), null);
          assert.equal(response.headers.get('access-control-allow-headers'), null);
        });
      }

      it('a plain OPTIONS with valid credentials runs the handler, with the principal', async () => {
        const before = runs.length;
        assert.equal((await options(app, '/r', { authorization: ALICE })).status, 200);
        assert.equal((await options(app, '/admin', { authorization: ADMIN })).status, 200);
        assert.deepStrictEqual(runs.slice(before), [
          { method: 'OPTIONS', principal: 'u-alice' },
          { method: 'OPTIONS', principal: 'u-admin' },
        ]);
      });

      it('every run the handler made had a principal', () => {
        assert.ok(runs.length > 0);
        for (const run of runs) assert.ok(run.principal, `${run.method} ran without a principal`);
      });
    });
  }
}

describe('the cors policy on the guard', () => {
  let corsGuard: Guard;
  before(() => {
    corsGuard = f.guard(['bearer', 'basic'], {
      cors: { origins: ['https://app.test'], methods: ['GET', 'POST'], headers: ['Authorization', 'Content-Type'] },
    });
  });

  for (const [name, start] of adapters) {
    describe(name, () => {
      let app: App;
      const runs: Run[] = [];
      before(async () => {
        app = await start(corsGuard, 'route', runs);
      });
      after(() => app.close());

      it('answers an allowed origin’s preflight with what the policy allows, without running the handler', async () => {
        const response = await options(app, '/r', { ...PREFLIGHT, origin: 'https://app.test' });
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.test');
        assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST');
        assert.equal(response.headers.get('access-control-allow-headers'), 'Authorization, Content-Type');
        assert.equal(response.headers.get('access-control-allow-credentials'), null);
        assert.match(String(response.headers.get('vary')), /Origin/);
        assert.deepStrictEqual(runs, []);
      });

      it('allows nothing to another origin', async () => {
        const response = await options(app, '/r', PREFLIGHT);
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), null);
        assert.equal(response.headers.get('access-control-allow-methods'), null);
        assert.deepStrictEqual(runs, []);
      });

      it('lets an allowed origin read the answer and the refusal (with its challenge), and no other origin', async () => {
        const served = await fetch(`${app.url}/r`, { headers: { origin: 'https://app.test', authorization: ALICE } });
        assert.equal(served.status, 200);
        assert.equal(served.headers.get('access-control-allow-origin'), 'https://app.test');
        await served.arrayBuffer();
        const refused = await fetch(`${app.url}/r`, { headers: { origin: 'https://app.test' } });
        assert.equal(refused.status, 401);
        assert.equal(refused.headers.get('access-control-allow-origin'), 'https://app.test');
        assert.match(String(refused.headers.get('access-control-expose-headers')), /WWW-Authenticate/);
        await refused.arrayBuffer();
        const other = await fetch(`${app.url}/r`, { headers: { origin: 'https://evil.test', authorization: ALICE } });
        assert.equal(other.headers.get('access-control-allow-origin'), null);
        await other.arrayBuffer();
        assert.deepStrictEqual(runs, [
          { method: 'GET', principal: 'u-alice' },
          { method: 'GET', principal: 'u-alice' },
        ]);
      });
    });
  }
});

/**
 * Routes mounted for one method, as docs/server.md shows (`app.get('/r', guard, handler)`): the
 * framework owns OPTIONS for them (Express answers "GET, HEAD" itself, Fastify and Hono 404), so
 * the guard never sees the preflight. Each adapter's one preflight mount answers it from the
 * guard's policy, for any path; the node:http protect() needs none.
 */
describe('the cors policy with routes mounted for GET only, and each adapter’s preflight mount', () => {
  let corsGuard: Guard;
  before(() => {
    corsGuard = f.guard(['bearer', 'basic'], {
      cors: { origins: ['https://app.test'], methods: ['GET', 'POST'], headers: ['Authorization', 'Content-Type'] },
    });
  });

  const record =
    (runs: Run[]) =>
    (method: string, principal: string | undefined): { id: string | undefined } => {
      runs.push({ method, principal });
      return { id: principal };
    };
  const mounts: Array<[string, (guard: Guard, runs: Run[]) => Promise<App>]> = [
    [
      'node:http protect() routed by path',
      async (guard, runs) => {
        const me = protect(guard, (req, res) => res.end(JSON.stringify(record(runs)(req.method ?? '', req.auth?.id))));
        return listen(createServer((req, res) => void (req.url === '/r' ? me(req, res) : res.writeHead(404).end())));
      },
    ],
    [
      'Express app.use(preflight(guard)) + app.get(…, protect(guard), …)',
      async (guard, runs) => {
        const app = express();
        app.use(expressPreflight(guard));
        app.get('/r', expressProtect(guard), (req, res) => void res.json(record(runs)(req.method, req.auth?.id)));
        return listen(createServer(app));
      },
    ],
    [
      "Express app.options('*splat', preflight(guard)) + app.get(…, protect(guard), …)",
      async (guard, runs) => {
        const app = express();
        app.options('*splat', expressPreflight(guard));
        app.get('/r', expressProtect(guard), (req, res) => void res.json(record(runs)(req.method, req.auth?.id)));
        return listen(createServer(app));
      },
    ],
    [
      'Fastify gatehousePlugin + app.get(…, { preHandler: protect(guard) }, …)',
      async (guard, runs) => {
        const app = Fastify();
        await app.register(gatehousePlugin, { guard });
        app.get('/r', { preHandler: fastifyProtect(guard) }, async (request) =>
          record(runs)(request.method, request.auth?.id),
        );
        await app.listen({ port: 0, host: '127.0.0.1' });
        return { ...(await listen(app.server)), close: () => app.close() };
      },
    ],
    [
      "Hono app.use('*', preflight(guard)) + app.get(…, protect(guard), …)",
      async (guard, runs) => {
        const app = new Hono<{ Variables: GatehouseVariables }>();
        app.use('*', honoPreflight(guard));
        app.get('/r', honoProtect(guard), (c) => c.json(record(runs)(c.req.method, c.get('auth')?.id)));
        return serveHono(app);
      },
    ],
    [
      "Hono app.options('*', preflight(guard)) + app.get(…, protectHandler(guard, …))",
      async (guard, runs) => {
        const app = new Hono<{ Variables: GatehouseVariables }>();
        app.options('*', honoPreflight(guard));
        app.get(
          '/r',
          protectHandler(guard, (c) => c.json(record(runs)(c.req.method, c.get('auth')?.id))),
        );
        return serveHono(app);
      },
    ],
  ];

  for (const [name, start] of mounts) {
    describe(name, () => {
      let app: App;
      const runs: Run[] = [];
      before(async () => {
        app = await start(corsGuard, runs);
      });
      after(() => app.close());

      it('answers an allowed origin’s preflight 204 with the policy’s allowance; the handler does not run', async () => {
        for (const headers of [
          { ...PREFLIGHT, origin: 'https://app.test', 'access-control-request-method': 'GET' },
          { ...PREFLIGHT, origin: 'https://app.test', authorization: WRONG },
        ]) {
          const response = await options(app, '/r', headers);
          assert.equal(response.status, 204);
          assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.test');
          assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST');
          assert.equal(response.headers.get('access-control-allow-headers'), 'Authorization, Content-Type');
          assert.match(String(response.headers.get('vary')), /Origin/);
        }
        assert.deepStrictEqual(runs, []);
      });

      it('allows nothing to another origin’s preflight, and the handler does not run', async () => {
        const response = await options(app, '/r', { ...PREFLIGHT, authorization: ALICE });
        assert.equal(response.status, 204);
        for (const name of ['allow-origin', 'allow-methods', 'allow-headers', 'allow-credentials'])
          assert.equal(response.headers.get(`access-control-${name}`), null, name);
        assert.deepStrictEqual(runs, []);
      });

      it('the allowed origin’s GET that follows is served with the principal and may be read', async () => {
        const response = await fetch(`${app.url}/r`, { headers: { origin: 'https://app.test', authorization: ALICE } });
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.test');
        assert.deepStrictEqual(await response.json(), { id: 'u-alice' });
        const refused = await fetch(`${app.url}/r`, { headers: { origin: 'https://app.test' } });
        assert.equal(refused.status, 401);
        assert.equal(refused.headers.get('access-control-allow-origin'), 'https://app.test');
        await refused.arrayBuffer();
        assert.deepStrictEqual(runs, [{ method: 'GET', principal: 'u-alice' }]);
      });
    });
  }
});

/**
 * Hono: a middleware before the guard may set, replace or delete Authorization; the guard must
 * decide on what Hono's context holds, the same in-process (app.request) and over a socket.
 */
describe('Hono: the guard reads the request Hono holds, not the raw Node request', () => {
  const rewrite =
    (change: (headers: Headers) => void, replaceRequest = false): MiddlewareHandler =>
    async (c, next) => {
      if (replaceRequest) {
        const headers = new Headers(c.req.raw.headers);
        change(headers);
        c.req.raw = new Request(c.req.raw, { headers });
      } else change(c.req.raw.headers);
      await next();
    };
  // [what, middleware, client's Authorization, expected status]
  const cases: Array<[string, MiddlewareHandler, string | undefined, number]> = [
    ['set where the client sent none', rewrite((h) => h.set('authorization', ALICE)), undefined, 200],
    ['replaced, valid by wrong', rewrite((h) => h.set('authorization', WRONG)), ALICE, 401],
    ['replaced, wrong by valid', rewrite((h) => h.set('authorization', ALICE)), WRONG, 200],
    ['deleted', rewrite((h) => h.delete('authorization')), ALICE, 401],
    ['set on a new Request', rewrite((h) => h.set('authorization', ALICE), true), undefined, 200],
    ['deleted on a new Request', rewrite((h) => h.delete('authorization'), true), ALICE, 401],
  ];

  for (const [form, wrap] of [
    ['protect', (g: Guard, h: (c: HonoContext) => Response) => [honoProtect(g), h] as const],
    ['protectHandler', (g: Guard, h: (c: HonoContext) => Response) => [protectHandler(g, h)] as const],
  ] as const) {
    describe(form, () => {
      const runs: Run[] = [];
      const app = new Hono<{ Variables: GatehouseVariables }>();
      let server: App;
      before(async () => {
        const handler = (c: HonoContext) => {
          runs.push({ method: c.req.method, principal: c.get('auth')?.id });
          return c.json({ id: c.get('auth')?.id });
        };
        cases.forEach(([, middleware], i) => {
          app.use(`/case/${i}`, middleware);
          app.get(`/case/${i}`, ...(wrap(guard, handler) as [MiddlewareHandler]));
        });
        server = await serveHono(app);
      });
      after(() => server.close());

      cases.forEach(([what, , sent, status], i) => {
        it(`Authorization ${what}: ${status} in-process and over a socket`, async () => {
          const headers: Record<string, string> = sent ? { authorization: sent } : {};
          const inProcess = await app.request(`/case/${i}`, { headers });
          const overSocket = await fetch(`${server.url}/case/${i}`, { headers });
          assert.deepStrictEqual([inProcess.status, overSocket.status], [status, status]);
          await overSocket.arrayBuffer();
          for (const run of runs) assert.equal(run.principal, 'u-alice');
        });
      });
    });
  }
});

describe('requests dressed as something else', () => {
  for (const [name, start] of adapters) {
    describe(name, () => {
      let app: App;
      const runs: Run[] = [];
      before(async () => {
        app = await start(guard, 'route', runs);
      });
      after(() => app.close());

      it('a GET or POST carrying the preflight headers is authenticated like any other (401)', async () => {
        for (const method of ['GET', 'POST', 'DELETE']) {
          const response = await fetch(`${app.url}/r`, { method, headers: PREFLIGHT });
          assert.equal(response.status, 401, method);
          await response.arrayBuffer();
        }
        assert.deepStrictEqual(runs, []);
      });

      it('a HEAD without credentials: 401, the handler does not run', async () => {
        const response = await fetch(`${app.url}/r`, { method: 'HEAD' });
        assert.equal(response.status, 401);
        assert.deepStrictEqual(runs, []);
      });
    });
  }

  it('Fastify: the HEAD route made for a guarded GET route is guarded too', async () => {
    const runs: Run[] = [];
    const app = Fastify();
    await app.register(gatehousePlugin, { guard });
    app.get('/only-get', { preHandler: fastifyProtect(guard) }, async (request) => {
      runs.push({ method: request.method, principal: request.auth?.id });
      return { id: request.auth?.id };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `${(await listen(app.server)).url}/only-get`;
      assert.equal((await fetch(url, { method: 'HEAD' })).status, 401);
      assert.equal((await fetch(url, { method: 'HEAD', headers: { authorization: ALICE } })).status, 200);
      assert.deepStrictEqual(runs, [{ method: 'HEAD', principal: 'u-alice' }]);
    } finally {
      await app.close();
    }
  });
});

/**
 * A decision no adapter knows (a Guard written by hand, or a future outcome reached past the type
 * checker) must not fall through to the handler: actOn's exhaustive switch throws instead.
 */
describe('an outcome no adapter knows is never served', () => {
  const rogue = (): Guard => ({ ...guard, decide: () => ({ outcome: 'waved-through' }) as never });
  for (const [name, start] of adapters) {
    it(name, async () => {
      const runs: Run[] = [];
      let app: App;
      if (name.startsWith('node:http')) {
        // protect() throws from the listener; a wrapper turns that into the 500 a framework would send.
        const listener = protect(rogue(), (req, res) => {
          runs.push({ method: req.method ?? '', principal: req.auth?.id });
          res.end();
        });
        app = await listen(
          createServer((req, res) => {
            try {
              listener(req, res);
            } catch {
              res.writeHead(500).end();
            }
          }),
        );
      } else app = await start(rogue(), 'route', runs);
      try {
        const response = await fetch(`${app.url}/r`, { headers: { authorization: ALICE } });
        assert.equal(response.status, 500);
        await response.arrayBuffer();
        assert.deepStrictEqual(runs, []);
      } finally {
        await app.close();
      }
    });
  }
});
