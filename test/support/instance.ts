// One API instance, as a separate process: argv = postgres URL, schema, redis URL.
// It serves the OAuth endpoints and GET /api/me behind the token service's bearer scheme.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  createAuthorizationServer,
  createGuard,
  createLoginProtection,
  createTokenService,
  openStore,
} from '../../src/server/index.ts';

const [postgresUrl, schema, redisUrl] = process.argv.slice(2) as [string, string, string];
const store = await openStore(postgresUrl, { namespace: schema, redis: redisUrl });
// The default grace window: a token raced to both instances gets one successor from both.
const service = createTokenService({ store, issuer: 'https://fleet.test' });
const redis = new Redis(redisUrl);
const loginProtection = await createLoginProtection({
  backend: { redis },
  maxConsecutiveFailures: 3,
  lockoutSeconds: 60,
  prefix: schema,
});
const oauth = mountFetch(
  createAuthorizationServer({
    service,
    legacyPasswordGrant: true,
    users: store.users,
    clients: store.clients,
    loginProtection,
  }).handle,
);
const api = protect(createGuard({ schemes: [service.bearerScheme()] }), (req, res) =>
  res.end(JSON.stringify({ id: req.auth?.id, instance: process.pid })),
);
const server = createServer((req, res) => void (req.url?.startsWith('/api') ? api(req, res) : oauth(req, res)));
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`),
);
process.on('SIGTERM', async () => {
  server.closeAllConnections();
  server.close();
  await store.close();
  redis.disconnect();
  process.exit(0);
});
