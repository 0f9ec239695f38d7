/**
 * One idempotent order route on each framework: the guard, then Gatehouse's idempotency(), then the work.
 * With `guard` null the route is public (idempotency() alone): anyone may order, without a principal.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { idempotency as expressIdempotency, protect as expressProtect } from '../../src/adapters/express/index.ts';
import {
  idempotency as fastifyIdempotency,
  protect as fastifyProtect,
  gatehousePlugin,
} from '../../src/adapters/fastify/index.ts';
import {
  type GatehouseVariables,
  idempotency as honoIdempotency,
  protect as honoProtect,
} from '../../src/adapters/hono/index.ts';
import { idempotency as nodeIdempotency, protect } from '../../src/adapters/node/index.ts';
import type { IdempotencyOptions } from '../../src/server/idempotency/options.ts';
import type { Guard } from '../../src/server/index.ts';
import { type App, serveHono } from './adapter-apps.ts';
import { listen } from './server.ts';

/** What the route does, shared with the test: every effect it had, a gate to hold a run, a failure to throw once. */
export interface Orders {
  effects: Array<{ who: string; body: string }>;
  /** While set, a run waits for it before it takes effect. */
  gate?: Promise<void>;
  /** The next run throws before it takes effect. */
  failNext: boolean;
}

/** The binary answer of POST /blob: every byte value, which is not UTF-8. */
export const BLOB = Uint8Array.from({ length: 256 }, (_, i) => i);

async function work(orders: Orders, who: string | undefined, body: string) {
  await orders.gate;
  if (orders.failNext) {
    orders.failNext = false;
    throw new Error('the order failed before it took effect');
  }
  orders.effects.push({ who: who ?? 'anonymous', body });
  return { n: orders.effects.length, who: who ?? 'anonymous' };
}

const COOKIE = 'order-session=do-not-replay; HttpOnly';

export async function nodeOrders(guard: Guard | null, options: IdempotencyOptions, orders: Orders): Promise<App> {
  const guarded = (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    guard ? protect(guard, handler) : handler;
  const order = guarded(
    nodeIdempotency(options, async (req, res) => {
      const result = await work(orders, req.auth?.id, req.rawBody?.toString() ?? '');
      res.setHeader('set-cookie', COOKIE);
      res.writeHead(201, { 'content-type': 'application/json', 'x-order': String(result.n) });
      res.end(JSON.stringify(result));
    }),
  );
  const blob = guarded(
    nodeIdempotency(options, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(BLOB.subarray(0, 100));
      res.end(BLOB.subarray(100));
    }),
  );
  return listen(
    createServer((req: IncomingMessage, res) => {
      const handler = req.url === '/blob' ? blob : order;
      Promise.resolve(handler(req, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end('{"error":"internal"}');
      });
    }),
  );
}

export async function expressOrders(guard: Guard | null, options: IdempotencyOptions, orders: Orders): Promise<App> {
  const app = express();
  app.use(express.json());
  const guarded = guard ? [expressProtect(guard)] : [];
  app.post('/orders', ...guarded, expressIdempotency(options), async (req, res) => {
    const result = await work(orders, req.auth?.id, JSON.stringify(req.body ?? null));
    res.status(201).set('x-order', String(result.n)).set('set-cookie', COOKIE).json(result);
  });
  app.post('/blob', ...guarded, expressIdempotency(options), (_req, res) => {
    res.type('application/octet-stream').send(Buffer.from(BLOB));
  });
  // A failure answered quietly with a 500 (Express would print its stack).
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'internal' });
  });
  return listen(createServer(app));
}

export async function fastifyOrders(guard: Guard | null, options: IdempotencyOptions, orders: Orders): Promise<App> {
  const app = Fastify();
  if (guard) await app.register(gatehousePlugin, { guard });
  else app.decorateRequest('auth', undefined).decorateRequest('rawBody', undefined);
  const once = fastifyIdempotency(options);
  const route = { preHandler: [...(guard ? [fastifyProtect(guard)] : []), once.preHandler], onSend: once.onSend };
  app.post('/orders', route, async (request, reply) => {
    const result = await work(orders, request.auth?.id, JSON.stringify(request.body ?? null));
    return reply.code(201).header('x-order', String(result.n)).header('set-cookie', COOKIE).send(result);
  });
  app.post('/blob', route, async (_request, reply) => reply.type('application/octet-stream').send(Buffer.from(BLOB)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { ...(await listen(app.server)), close: () => app.close() };
}

export async function honoOrders(guard: Guard | null, options: IdempotencyOptions, orders: Orders): Promise<App> {
  const app = new Hono<{ Variables: GatehouseVariables }>();
  app.onError((_error, c) => c.json({ error: 'internal' }, 500));
  if (guard) app.use(honoProtect(guard));
  app.post('/orders', honoIdempotency(options), async (c) => {
    const result = await work(orders, c.get('auth')?.id, await c.req.text());
    return c.json(result, 201, { 'x-order': String(result.n), 'set-cookie': COOKIE });
  });
  app.post('/blob', honoIdempotency(options), (c) =>
    c.body(BLOB.slice().buffer, 200, { 'content-type': 'application/octet-stream' }),
  );
  return serveHono(app);
}
