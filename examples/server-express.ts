// An Express 5 API behind the guard. In your project: import { protect } from 'gatehouse-http/express';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { protect } from '../src/adapters/express/index.ts';
import { requireScopes } from '../src/server/index.ts';
import { exampleGuard, tour } from './support/api-guard.ts';

const guard = await exampleGuard();
const app = express();
app.get('/me', protect(guard), (req, res) => void res.json({ hello: req.auth?.id }));
app.get(
  '/admin',
  protect(guard, { permission: requireScopes('admin') }),
  (req, res) => void res.json({ admin: req.auth?.id }),
);
const server = app.listen(0, '127.0.0.1', async () => {
  await tour(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  server.close();
});
