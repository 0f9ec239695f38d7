// The protected route of each server-guard configuration on each framework, built but not
// listening: guard-server.ts puts it behind a socket, in-process.ts drives it without one, so
// both measure the same code.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import fastifyJwt from '@fastify/jwt';
import express from 'express';
import { expressjwt } from 'express-jwt';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Context, Hono } from 'hono';
import { jwt as honoJwt } from 'hono/jwt';
import { jwtVerify } from 'jose';
import { protect as expressProtect } from '../../src/adapters/express/index.ts';
import { protect as fastifyProtect, gatehousePlugin } from '../../src/adapters/fastify/index.ts';
import { protect as honoProtect, protectHandler } from '../../src/adapters/hono/index.ts';
import { protect } from '../../src/adapters/node/index.ts';
import type { Guard } from '../../src/server/index.ts';
import { configuration, SECRET } from './guards.ts';

/** node:http and Express are request listeners; Fastify and Hono are apps of their own. */
export type Route =
  | { framework: 'node' | 'express'; listener: RequestListener }
  | { framework: 'fastify'; app: FastifyInstance }
  | { framework: 'hono'; app: Hono };

const body = '{"ok":true}';

/** Every configuration a route is made for; spinNus (a handler that burns N µs, node:http only) besides. */
export const CONFIGURATIONS = [
  'noAuth',
  'noopMiddleware',
  'floorJwt',
  'jwtHs256',
  'jwtHs256Handler',
  'jwtEs256',
  'basicCached',
  'basicUncached',
  'peerJwt',
];

/** The route for one framework and configuration, and the Authorization header a request sends. */
export async function protectedRoute(
  framework: string,
  variant: string,
): Promise<{ route: Route; authorization: string }> {
  // A misspelt name would otherwise be measured as no authentication, under the name asked for.
  if (!CONFIGURATIONS.includes(variant) && !/^spin\d+us$/.test(variant))
    throw new Error(`bench: no configuration ${variant} (${CONFIGURATIONS.join(', ')}, or spinNus)`);
  // Only nodeRoute burns the µs: elsewhere the plain handler would be measured under this name.
  if (variant.startsWith('spin') && framework !== 'node')
    throw new Error(`bench: no configuration ${variant} on ${framework} (spinNus is made on node only)`);
  const { guard, authorization } = await configuration(variant);
  if (variant === 'floorJwt')
    known = new Map([[authorization, { id: 'u1', scheme: 'bearer', scopes: ['read'], roles: [] }]]);
  if (framework === 'node') return { route: { framework, listener: nodeRoute(variant, guard) }, authorization };
  if (framework === 'express') return { route: { framework, listener: expressRoute(variant, guard) }, authorization };
  if (framework === 'fastify') return { route: { framework, app: await fastifyRoute(variant, guard) }, authorization };
  if (framework === 'hono') return { route: { framework, app: honoRoute(variant, guard) }, authorization };
  throw new Error(`bench: no framework ${framework} (node, express, fastify or hono)`);
}

/**
 * Calibration (floorJwt): the least any check of a recently seen token can cost, as middleware:
 * the Authorization field looked up whole in a table of known tokens, the principal found put where
 * the framework keeps it. Nothing a real check needs is done: no parse of the field, no expiry, no
 * copy of the principal, no refusal worth the name. Whatever a framework charges for this, no
 * authenticating middleware escapes; the room between it and no authentication is what is left
 * for the check itself.
 */
let known = new Map<string, object>();
const floorCheck = (authorization: string | undefined): object | undefined =>
  authorization === undefined ? undefined : known.get(authorization);

// Calibration: no authentication, but the handler first burns a fixed amount of CPU. It shows what
// a given cost per request does to requests/s on this machine, whatever code spends it.
const spin = (micros: number) => {
  const end = performance.now() + micros / 1000;
  while (performance.now() < end);
};

const refuse = (res: ServerResponse) => {
  res.writeHead(401, { 'www-authenticate': 'Bearer' });
  res.end();
};

function nodeRoute(variant: string, guard: Guard | undefined): RequestListener {
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };
  if (guard) return protect(guard, handler);
  if (variant === 'floorJwt')
    return (req, res) => {
      const principal = floorCheck(req.headers.authorization);
      if (principal === undefined) return refuse(res);
      (req as IncomingMessage & { auth?: object }).auth = principal;
      handler(req, res);
    };
  if (variant === 'noopMiddleware')
    return async (req, res) => {
      await Promise.resolve();
      handler(req, res);
    };
  if (variant === 'peerJwt') {
    // node:http has no JWT middleware of its own: what people write by hand, with jose.
    const key = new TextEncoder().encode(SECRET);
    return async (req, res) => {
      const header = req.headers.authorization;
      try {
        if (!header?.startsWith('Bearer ')) throw new Error('no Bearer token');
        await jwtVerify(header.slice(7), key, { algorithms: ['HS256'] });
      } catch {
        res.writeHead(401, { 'www-authenticate': 'Bearer' });
        res.end();
        return;
      }
      handler(req, res);
    };
  }
  const spinMicros = /^spin(\d+)us$/.exec(variant)?.[1];
  if (spinMicros)
    return (req, res) => {
      spin(Number(spinMicros));
      handler(req, res);
    };
  return handler;
}

function expressRoute(variant: string, guard: Guard | undefined): RequestListener {
  const app = express();
  const handler = (_req: express.Request, res: express.Response) => void res.type('application/json').send(body);
  if (variant === 'peerJwt') app.get('/', expressjwt({ secret: SECRET, algorithms: ['HS256'] }), handler);
  else if (guard) app.get('/', expressProtect(guard), handler);
  else if (variant === 'floorJwt')
    app.get(
      '/',
      (req: express.Request, res: express.Response, next: express.NextFunction) => {
        const principal = floorCheck(req.headers.authorization);
        if (principal === undefined) return refuse(res);
        (req as express.Request & { floor?: object }).floor = principal;
        next();
      },
      handler,
    );
  else if (variant === 'noopMiddleware')
    app.get('/', async (_req: express.Request, _res: express.Response, next: express.NextFunction) => next(), handler);
  else app.get('/', handler);
  return app as unknown as RequestListener;
}

async function fastifyRoute(variant: string, guard: Guard | undefined): Promise<FastifyInstance> {
  const app = Fastify();
  const handler = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('application/json').send(body);
  if (variant === 'peerJwt') {
    await app.register(fastifyJwt, { secret: SECRET });
    app.get('/', { onRequest: async (request) => void (await request.jwtVerify()) }, handler);
  } else if (guard) {
    await app.register(gatehousePlugin, { guard });
    app.get('/', { preHandler: fastifyProtect(guard) }, handler);
  } else if (variant === 'floorJwt') {
    // Callback style, as Gatehouse's preHandler: no promise on the way.
    app.decorateRequest('floor', null);
    app.get(
      '/',
      {
        preHandler: (request, reply, done) => {
          const principal = floorCheck(request.headers.authorization);
          if (principal === undefined) return void reply.code(401).send();
          (request as unknown as { floor: object }).floor = principal;
          done();
        },
      },
      handler,
    );
  } else if (variant === 'noopMiddleware') {
    app.get('/', { preHandler: async () => {} }, handler);
  } else app.get('/', handler);
  await app.ready();
  return app;
}

function honoRoute(variant: string, guard: Guard | undefined): Hono {
  const app = new Hono();
  const handler = (c: Context) => c.body(body, 200, { 'content-type': 'application/json' });
  if (variant === 'peerJwt') app.get('/', honoJwt({ secret: SECRET, alg: 'HS256' }), handler);
  else if (variant === 'jwtHs256Handler') app.get('/', protectHandler(guard!, handler));
  else if (guard) app.get('/', honoProtect(guard), handler);
  else if (variant === 'floorJwt')
    app.get(
      '/',
      // Not async, as Gatehouse's protect(): the handler's promise is passed on, no other is made.
      (c, next) => {
        const principal = floorCheck(c.req.raw.headers.get('authorization') ?? undefined);
        if (principal === undefined) return Promise.resolve(c.body(null, 401));
        c.set('floor' as never, principal as never);
        return next();
      },
      handler,
    );
  else if (variant === 'noopMiddleware')
    app.get(
      '/',
      async (_c, next) => {
        await next();
      },
      handler,
    );
  else app.get('/', handler);
  return app;
}
