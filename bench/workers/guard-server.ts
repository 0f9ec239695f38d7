// A protected route on one framework with one kind of authentication. argv: framework variant
// Prints one JSON line: { port, authorization } (the header the load generator sends).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyJwt from '@fastify/jwt';
import { serve } from '@hono/node-server';
import express from 'express';
import { expressjwt } from 'express-jwt';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { jwt as honoJwt } from 'hono/jwt';
import { protect as expressProtect } from '../../src/adapters/express/index.ts';
import { protect as fastifyProtect, gatehousePlugin } from '../../src/adapters/fastify/index.ts';
import { protect as honoProtect, protectHandler } from '../../src/adapters/hono/index.ts';
import { protect } from '../../src/adapters/node/index.ts';
import { configuration, SECRET } from './guards.ts';

const [framework, variant] = process.argv.slice(2) as [string, string];
const body = '{"ok":true}';
const { guard, authorization } = await configuration(variant);

// Calibration: no authentication, but the handler first burns a fixed amount of CPU. It shows what
// a given cost per request does to requests/s on this machine, whatever code spends it.
const spinMicros = /^spin(\d+)us$/.exec(variant)?.[1];
const spin = (micros: number) => {
  const end = performance.now() + micros / 1000;
  while (performance.now() < end);
};

let server: Server;
if (framework === 'node') {
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };
  server = createServer(
    guard
      ? protect(guard, handler)
      : variant === 'noopMiddleware'
        ? async (req, res) => {
            await Promise.resolve();
            handler(req, res);
          }
        : spinMicros
          ? (req, res) => {
              spin(Number(spinMicros));
              handler(req, res);
            }
          : handler,
  );
} else if (framework === 'express') {
  const app = express();
  const handler = (_req: express.Request, res: express.Response) => void res.type('application/json').send(body);
  if (variant === 'peerJwt') app.get('/', expressjwt({ secret: SECRET, algorithms: ['HS256'] }), handler);
  else if (guard) app.get('/', expressProtect(guard), handler);
  else if (variant === 'noopMiddleware')
    app.get('/', async (_req: express.Request, _res: express.Response, next: express.NextFunction) => next(), handler);
  else app.get('/', handler);
  server = createServer(app);
} else if (framework === 'fastify') {
  const app = Fastify();
  if (variant === 'peerJwt') {
    await app.register(fastifyJwt, { secret: SECRET });
    app.get('/', { onRequest: async (request) => void (await request.jwtVerify()) }, async (_req, reply) =>
      reply.type('application/json').send(body),
    );
  } else if (guard) {
    await app.register(gatehousePlugin, { guard });
    app.get('/', { preHandler: fastifyProtect(guard) }, async (_req, reply) =>
      reply.type('application/json').send(body),
    );
  } else if (variant === 'noopMiddleware') {
    app.get('/', { preHandler: async () => {} }, async (_req, reply) => reply.type('application/json').send(body));
  } else app.get('/', async (_req, reply) => reply.type('application/json').send(body));
  await app.ready();
  server = app.server;
} else {
  const app = new Hono();
  const handler = (c: import('hono').Context) => c.body(body, 200, { 'content-type': 'application/json' });
  if (variant === 'peerJwt') app.get('/', honoJwt({ secret: SECRET, alg: 'HS256' }), handler);
  else if (variant === 'jwtHs256Handler') app.get('/', protectHandler(guard!, handler));
  else if (guard) app.get('/', honoProtect(guard), handler);
  else if (variant === 'noopMiddleware')
    app.get(
      '/',
      async (_c, next) => {
        await next();
      },
      handler,
    );
  else app.get('/', handler);
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
}
const ready = () =>
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, authorization })}\n`);
if (server.listening) ready();
else if (framework === 'hono') server.once('listening', ready);
else server.listen(0, '127.0.0.1', ready);
process.on('SIGTERM', () => process.exit(0));
