/** The same small API on each framework, behind Gatehouse's adapter for it. */
import { createServer, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { protect as expressProtect } from '../../src/adapters/express/index.ts';
import { protect as fastifyProtect, gatehousePlugin } from '../../src/adapters/fastify/index.ts';
import { type GatehouseVariables, protect as honoProtect, protectHandler } from '../../src/adapters/hono/index.ts';
import { protect } from '../../src/adapters/node/index.ts';
import { type Guard, requireRoles, requireScopes } from '../../src/server/index.ts';
import { type Listening, listen } from './server.ts';

/** Where an app answers (an origin, no trailing slash) and how to stop it; a `Listening` is one. */
export interface App {
  url: string;
  close(): Promise<void>;
}

const admin = requireScopes('admin');
const staff = requireRoles('admin');

export async function nodeApp(guard: Guard): Promise<App> {
  const me = protect(guard, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: req.auth.id, scheme: req.auth.scheme, body: req.rawBody?.toString() ?? '' }));
  });
  const routes: Record<string, ReturnType<typeof protect>> = {
    '/me': me,
    '/signed': me,
    '/admin': protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id })), { permission: admin }),
    '/staff': protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id })), { permission: staff }),
  };
  return listen(
    createServer(
      (req, res) =>
        void (routes[new URL(req.url ?? '/', 'http://x').pathname] ?? ((_q, s) => s.writeHead(404).end()))(req, res),
    ),
  );
}

export async function expressApp(guard: Guard): Promise<App> {
  const app = express();
  const echo = (req: express.Request, res: express.Response) => {
    res.json({
      id: req.auth?.id,
      scheme: req.auth?.scheme,
      body: Buffer.isBuffer(req.rawBody) ? req.rawBody.toString() : '',
    });
  };
  app.options('/me', expressProtect(guard), echo);
  app.get('/me', expressProtect(guard), echo);
  app.post('/signed', expressProtect(guard), echo);
  app.get('/admin', expressProtect(guard, { permission: admin }), (req, res) => void res.json({ id: req.auth?.id }));
  app.get('/staff', expressProtect(guard, { permission: staff }), (req, res) => void res.json({ id: req.auth?.id }));
  return listen(createServer(app));
}

export async function fastifyApp(guard: Guard): Promise<App> {
  const app = Fastify();
  await app.register(gatehousePlugin, { guard });
  const echo = async (request: import('fastify').FastifyRequest) => ({
    id: request.auth?.id,
    scheme: request.auth?.scheme,
    body: request.rawBody?.toString() ?? '',
    parsed: request.body ?? null,
  });
  app.options('/me', { preHandler: fastifyProtect(guard) }, echo);
  app.get('/me', { preHandler: fastifyProtect(guard) }, echo);
  app.post('/signed', { preHandler: fastifyProtect(guard) }, echo);
  app.get('/admin', { preHandler: fastifyProtect(guard, { permission: admin }) }, async (request) => ({
    id: request.auth?.id,
  }));
  app.get('/staff', { preHandler: fastifyProtect(guard, { permission: staff }) }, async (request) => ({
    id: request.auth?.id,
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { ...(await listen(app.server)), close: () => app.close() };
}

type HonoContext = import('hono').Context<{ Variables: GatehouseVariables }>;
const honoEcho = async (c: HonoContext) =>
  c.json({
    id: c.get('auth')?.id,
    scheme: c.get('auth')?.scheme,
    body: c.req.method === 'POST' ? await c.req.text() : '',
  });
const honoId = (c: HonoContext) => c.json({ id: c.get('auth')?.id });

/** The guard as Hono middleware (protect). */
export async function honoApp(guard: Guard): Promise<App> {
  const app = new Hono<{ Variables: GatehouseVariables }>();
  app.options('/me', honoProtect(guard), honoEcho);
  app.get('/me', honoProtect(guard), honoEcho);
  app.post('/signed', honoProtect(guard), honoEcho);
  app.get('/admin', honoProtect(guard, { permission: admin }), honoId);
  app.get('/staff', honoProtect(guard, { permission: staff }), honoId);
  return serveHono(app);
}

/** The same routes with the guard around each handler (protectHandler). */
export async function honoHandlerApp(guard: Guard): Promise<App> {
  const app = new Hono<{ Variables: GatehouseVariables }>();
  app.options('/me', protectHandler(guard, honoEcho));
  app.get('/me', protectHandler(guard, honoEcho));
  app.post('/signed', protectHandler(guard, honoEcho));
  app.get('/admin', protectHandler(guard, honoId, { permission: admin }));
  app.get('/staff', protectHandler(guard, honoId, { permission: staff }));
  return serveHono(app);
}

/** A Hono app (any fetch-style app) on @hono/node-server, listening through `listen`. */
export function serveHono(app: { fetch: Parameters<typeof createAdaptorServer>[0]['fetch'] }): Promise<Listening> {
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
}
