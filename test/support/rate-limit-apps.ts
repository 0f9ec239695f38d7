/** One route behind Gatehouse's rateLimit() on each framework, listening on loopback. */
import { createServer, type Server } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { rateLimit as expressRateLimit } from '../../src/adapters/express/index.ts';
import { rateLimit as fastifyRateLimit } from '../../src/adapters/fastify/index.ts';
import { rateLimit as honoRateLimit } from '../../src/adapters/hono/index.ts';
import { rateLimit as nodeRateLimit } from '../../src/adapters/node/index.ts';
import type { RateLimitOptions } from '../../src/server/index.ts';
import type { App } from './adapter-apps.ts';
import { serveHono } from './adapter-apps.ts';
import { listen } from './server.ts';

export type RateLimitedApp = (options: RateLimitOptions, handled: { count: number }) => Promise<App>;

export const nodeLimited: RateLimitedApp = (options, handled) =>
  listen(
    createServer(
      nodeRateLimit(options, (_req, res) => {
        handled.count++;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }),
    ),
  );

export const expressLimited: RateLimitedApp = (options, handled) => {
  const app = express();
  app.use(expressRateLimit(options));
  app.get('/', (_req, res) => {
    handled.count++;
    res.type('text/plain').send('ok');
  });
  return listen(createServer(app) as Server);
};

export const fastifyLimited: RateLimitedApp = async (options, handled) => {
  const app = Fastify();
  app.addHook('onRequest', fastifyRateLimit(options));
  app.get('/', async (_request, reply) => {
    handled.count++;
    return reply.type('text/plain').send('ok');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return listen(app.server);
};

export const honoLimited: RateLimitedApp = (options, handled) => {
  const app = new Hono();
  app.use(honoRateLimit(options));
  app.get('/', (c) => {
    handled.count++;
    return c.text('ok');
  });
  return serveHono(app);
};
