// A protected route on one framework with one kind of authentication (routes.ts), on a loopback
// socket. argv: framework variant. Prints one JSON line: { port, authorization } (the header the
// load generator sends).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { protectedRoute } from './routes.ts';

const [framework, variant] = process.argv.slice(2) as [string, string];
const { route, authorization } = await protectedRoute(framework, variant);

const server: Server =
  route.framework === 'fastify'
    ? route.app.server
    : route.framework === 'hono'
      ? (serve({ fetch: route.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
      : createServer(route.listener);
const ready = () =>
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, authorization })}\n`);
if (server.listening) ready();
else if (route.framework === 'hono') server.once('listening', ready);
else server.listen(0, '127.0.0.1', ready);
process.on('SIGTERM', () => process.exit(0));
