/**
 * A scheme or a permission of the app's own that answers outside its contract (a scheme's verify()
 * with neither a principal nor a refusal, a permission with `false` instead of a refusal, a
 * refusal whose reason is not in the catalogue), at once or later- on every adapter, over a real
 * socket, the protected handler never runs, the answer is the server's failure (500
 * problem+json, one report through onError), and the process neither throws nor leaves a
 * rejection unhandled.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { protect as expressProtect } from '../../src/adapters/express/index.ts';
import { protect as fastifyProtect } from '../../src/adapters/fastify/index.ts';
import { type GatehouseVariables, protect as honoProtect, protectHandler } from '../../src/adapters/hono/index.ts';
import { protect } from '../../src/adapters/node/index.ts';
import { createGuard, type Guard, type Permission, type Principal, type Scheme } from '../../src/server/index.ts';
import { type App, serveHono } from '../support/adapter-apps.ts';
import { listen } from '../support/server.ts';

const PRINCIPAL: Principal = { id: 'p-1', scheme: 'probe', scopes: [], roles: [] };

/** What verify() or check() answers, by name (a token68); `later-` answers it as a promise. */
const ANSWERS: Record<string, unknown> = {
  principal: PRINCIPAL,
  true: true,
  undefined: undefined,
  null: null,
  false: false,
  string: 'true',
  // biome-ignore lint/suspicious/noThenProperty: an object that only looks like a promise is the case tested
  thenable: { then: 5 },
  'unknown-reason': { reason: 'no_such_reason', detail: 'x' },
  nobody: { reason: 'credentials_invalid', detail: 'Unknown.' },
  forbidden: { reason: 'forbidden', detail: 'Not yours.' },
};

function answer(name: string): unknown {
  const later = name.startsWith('later-');
  const value = ANSWERS[later ? name.slice(6) : name];
  return later ? Promise.resolve(value) : value;
}

// The Authorization field says what verify() answers; X-Permission what the permission answers.
const scheme: Scheme<string> = {
  name: 'probe',
  precedence: 1,
  authorizationSchemes: ['probe'],
  detect(request) {
    const parsed = request.authorization;
    const credentials = parsed?.ok ? parsed.credentials : undefined;
    if (credentials?.kind !== 'other' || credentials.scheme.toLowerCase() !== 'probe') return { present: false };
    return { present: true, credentials: credentials.token68 ?? '' };
  },
  verify: (name) => answer(name) as Principal,
  challenge: (realm) => ({ scheme: 'Probe', params: { realm } }),
  openapi: () => ({}),
};
const permission: Permission = {
  requires: { scopes: [], roles: [] },
  check: (_principal, request) => answer(request.headers.get('x-permission') ?? 'true') as true,
};

type Start = (guard: Guard, served: string[]) => Promise<App>;
const ADAPTERS: Record<string, Start> = {
  'node:http protect()': (guard, served) =>
    listen(
      createServer(
        protect(
          guard,
          (req, res) => {
            served.push(String(req.auth?.id));
            res.end('protected');
          },
          { permission },
        ),
      ),
    ),
  'Express protect()': (guard, served) => {
    const app = express();
    app.get('/', expressProtect(guard, { permission }), (req, res) => {
      served.push(String(req.auth?.id));
      res.send('protected');
    });
    return listen(createServer(app));
  },
  'Fastify protect()': async (guard, served) => {
    const app = Fastify();
    app.get('/', { preHandler: fastifyProtect(guard, { permission }) }, async (request) => {
      served.push(String(request.auth?.id));
      return 'protected';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { ...(await listen(app.server)), close: () => app.close() };
  },
  'Hono protect()': (guard, served) => {
    const app = new Hono<{ Variables: GatehouseVariables }>();
    app.get('/', honoProtect(guard, { permission }), (c) => {
      served.push(String(c.get('auth')?.id));
      return c.text('protected');
    });
    return serveHono(app);
  },
  'Hono protectHandler()': (guard, served) => {
    const app = new Hono<{ Variables: GatehouseVariables }>();
    const handler = (c: import('hono').Context<{ Variables: GatehouseVariables }>) => {
      served.push(String(c.get('auth')?.id));
      return c.text('protected');
    };
    app.get('/', protectHandler(guard, handler, { permission }));
    return serveHono(app);
  },
};

const BAD = ['undefined', 'null', 'false', 'string', 'thenable', 'unknown-reason'];
const CASES: Array<{ verify: string; permission: string }> = [];
for (const bad of [...BAD, ...BAD.map((b) => `later-${b}`)]) {
  if (bad !== 'false' && bad !== 'later-false') CASES.push({ verify: bad, permission: 'true' });
  CASES.push({ verify: 'principal', permission: bad });
}

const escapes: unknown[] = [];
const onEscape = (error: unknown) => escapes.push(error);

/** For the suite it is called in: every uncaught exception and unhandled rejection lands in `escapes`. */
function watchEscapes(): void {
  before(() => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  after(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  });
}

describe('a scheme or permission answering outside its contract', () => {
  watchEscapes();

  for (const [adapter, start] of Object.entries(ADAPTERS)) {
    it(`${adapter}: never served, answered 500 problem+json and reported, nothing escapes`, async () => {
      const reports: string[] = [];
      const guard = createGuard({
        schemes: [scheme as Scheme<unknown>],
        onError: (failure) => reports.push(failure.source),
      });
      const served: string[] = [];
      const app = await start(guard, served);
      try {
        for (const { verify, permission: check } of CASES) {
          const label = `verify → ${verify}, permission → ${check}`;
          escapes.length = 0;
          reports.length = 0;
          const response = await fetch(`${app.url}/`, {
            headers: { authorization: `Probe ${verify}`, 'x-permission': check },
            signal: AbortSignal.timeout(3000),
          }).catch((error: unknown) => error as Error);
          await new Promise((resolve) => setTimeout(resolve, 10));
          assert.deepStrictEqual(escapes, [], `${label}: nothing thrown or rejected unhandled`);
          // Not `instanceof Response`: @hono/node-server puts a Response class of its own on globalThis.
          if (response instanceof Error) assert.fail(`${label}: not answered (${response.name})`);
          assert.equal(response.status, 500, label);
          assert.equal(response.headers.get('content-type'), 'application/problem+json', label);
          assert.deepStrictEqual(served, [], `${label}: the handler never ran`);
          assert.equal(reports.length, 1, `${label}: reported once`);
          await response.text();
        }
        // And a good answer is still served.
        const ok = await fetch(`${app.url}/`, { headers: { authorization: 'Probe principal' } });
        assert.equal(ok.status, 200);
        assert.deepStrictEqual(served, ['p-1']);
      } finally {
        await app.close();
      }
    });
  }
});

describe('an onRefusal hook that throws (a logger of the app that fails on some requests)', () => {
  watchEscapes();

  for (const [adapter, start] of Object.entries(ADAPTERS)) {
    it(`${adapter}: the refusal is answered all the same, never served, nothing escapes`, async () => {
      const guard = createGuard({
        schemes: [scheme as Scheme<unknown>],
        onRefusal: (_refusal, request) => {
          // As an app's logger might: fine until a request lacks the field it reads.
          request.headers.get('x-forwarded-for')!.split(',');
        },
      });
      const served: string[] = [];
      const app = await start(guard, served);
      try {
        // No credentials (401), refused credentials, a permission's refusal (403), a failure (500).
        const cases: Array<[Record<string, string>, number]> = [
          [{}, 401],
          [{ authorization: 'Probe nobody' }, 401],
          [{ authorization: 'Probe later-nobody' }, 401],
          [{ authorization: 'Probe principal', 'x-permission': 'forbidden' }, 403],
          [{ authorization: 'Probe principal', 'x-permission': 'later-forbidden' }, 403],
          [{ authorization: 'Probe undefined' }, 500],
        ];
        for (const [headers, status] of cases) {
          escapes.length = 0;
          const response = await fetch(`${app.url}/`, { headers, signal: AbortSignal.timeout(3000) }).catch(
            (error: unknown) => error as Error,
          );
          await new Promise((resolve) => setTimeout(resolve, 10));
          const label = JSON.stringify(headers);
          assert.deepStrictEqual(escapes, [], `${label}: nothing thrown or rejected unhandled`);
          if (response instanceof Error) assert.fail(`${label}: not answered (${response.name})`);
          assert.equal(response.status, status, label);
          await response.text();
        }
        assert.deepStrictEqual(served, []);
      } finally {
        await app.close();
      }
    });
  }
});
