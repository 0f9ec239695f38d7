// A Hono 4 API behind the guard. In your project: import { type GatehouseEnv, protect, protectHandler } from 'gatehouse-http/hono';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type GatehouseEnv, protect, protectHandler } from '../src/adapters/hono/index.ts';
import { requireScopes } from '../src/server/index.ts';
import { exampleGuard, tour } from './support/api-guard.ts';

const guard = await exampleGuard();
const app = new Hono<GatehouseEnv>();
// As middleware (one route here; app.use('/api/*', protect(guard)) guards a group) …
app.get('/me', protect(guard), (c) => c.json({ hello: c.get('auth')?.id }));
// … or around a single route's handler, which spares Hono its middleware composition.
app.get(
  '/admin',
  protectHandler(guard, (c) => c.json({ admin: c.get('auth')?.id }), { permission: requireScopes('admin') }),
);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, async (info: AddressInfo) => {
  await tour(`http://127.0.0.1:${info.port}`);
  server.close();
});
