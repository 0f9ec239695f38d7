// A Hono 4 API behind the guard. In your project: import { honoGuard } from 'gatehouse/hono';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type GatehouseVariables, honoGuard } from '../src/adapters/hono.ts';
import { requireScopes } from '../src/server/index.ts';
import { exampleGuard, tour } from './support/api-guard.ts';

const guard = await exampleGuard();
const app = new Hono<{ Variables: GatehouseVariables }>();
app.get('/me', honoGuard(guard), (c) => c.json({ hello: c.get('auth')?.id }));
app.get('/admin', honoGuard(guard, { permission: requireScopes('admin') }), (c) =>
  c.json({ admin: c.get('auth')?.id }),
);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, async (info: AddressInfo) => {
  await tour(`http://127.0.0.1:${info.port}`);
  server.close();
});
