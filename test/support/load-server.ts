// A guarded route for load tests: Bearer JWT (HS256) through the node:http adapter. GET /__rss answers
// the process's resident memory, GET /__stats how many requests reached the route, how many it
// answered and how many the client gave up on first. With --plain, the same route without the guard: the baseline node:http server.
// Prints { port, authorization } when it listens.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { protect } from '../../src/adapters/node/index.ts';
import { bearerScheme, createGuard } from '../../src/server/index.ts';

const SECRET = 'load-test-hs256-secret-of-32-bytes-min';
const guard = createGuard({ schemes: [bearerScheme({ jwt: { key: SECRET, algorithms: ['HS256'] } })] });
const token = await new SignJWT({ scope: 'read' })
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('u1')
  .setExpirationTime('2h')
  .sign(new TextEncoder().encode(SECRET));
const answer = (res: ServerResponse, id: string | undefined) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id }));
};
// The baseline answers what the guarded route answers for the token's subject, without checking it.
const route = process.argv.includes('--plain')
  ? (_req: IncomingMessage, res: ServerResponse) => answer(res, 'u1')
  : protect(guard, (req, res) => answer(res, req.auth?.id));
const stats = { received: 0, answered: 0, abandoned: 0 };
const server = createServer((req, res) => {
  if (req.url === '/__rss') {
    const m = process.memoryUsage();
    res.end(req.headers['x-detail'] ? JSON.stringify(m) : String(m.rss));
    return;
  }
  if (req.url === '/__stats') {
    res.end(JSON.stringify(stats));
    return;
  }
  stats.received++;
  res.on('finish', () => stats.answered++);
  // autocannon closes its connections when the run ends, some with a request in flight.
  res.on('close', () => {
    if (!res.writableFinished) stats.abandoned++;
  });
  void route(req, res);
});
server.maxConnections = 5000;
server.listen(0, '127.0.0.1', 4096, () =>
  process.stdout.write(
    `${JSON.stringify({ port: (server.address() as AddressInfo).port, authorization: `Bearer ${token}` })}\n`,
  ),
);
process.on('SIGTERM', () => process.exit(0));
