// A Fastify 5 API behind the guard. In your project: import { gatehousePlugin, protect } from 'gatehouse-http/fastify';
import Fastify from 'fastify';
import { gatehousePlugin, protect } from '../src/adapters/fastify/index.ts';
import { requireScopes } from '../src/server/index.ts';
import { exampleGuard, tour } from './support/api-guard.ts';

const guard = await exampleGuard();
const app = Fastify();
await app.register(gatehousePlugin, { guard });
app.get('/me', { preHandler: protect(guard) }, async (request) => ({ hello: request.auth?.id }));
app.get('/admin', { preHandler: protect(guard, { permission: requireScopes('admin') }) }, async (request) => ({
  admin: request.auth?.id,
}));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
await tour(address);
await app.close();
