// A node:http API behind the guard: GET /me for anyone authenticated, GET /admin needs scope "admin".
// In your project: import { protect } from 'gatehouse-http/node'; import { requireScopes } from 'gatehouse-http/server';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { protect } from '../src/adapters/node/index.ts';
import { requireScopes } from '../src/server/index.ts';
import { exampleGuard, tour } from './support/api-guard.ts';

const guard = await exampleGuard();
const me = protect(guard, (req, res) => res.end(JSON.stringify({ hello: req.auth.id })));
const admin = protect(guard, (req, res) => res.end(JSON.stringify({ admin: req.auth.id })), {
  permission: requireScopes('admin'),
});
const server = createServer((req, res) => (req.url === '/admin' ? admin(req, res) : me(req, res)));
server.listen(0, '127.0.0.1', async () => {
  await tour(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  server.close();
});
