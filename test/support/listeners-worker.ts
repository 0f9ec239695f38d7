/**
 * Every listener Gatehouse offers, on one store, in a process of its own: the crash and
 * exhaustion attacks are sent to it over raw sockets, and the parent checks it is still alive
 * and answering afterwards. No 'uncaughtException' or 'unhandledRejection' handler is installed
 * here on purpose: either one ends this process, which is what the attacks must never achieve.
 * argv: memory | sqlite | postgres | redis  [namespace]
 * stdout: one line of JSON: { ports: { name: port } for every listener, apiKey }. The user is
 * alice / alice-password-1; the confidential client svc / svc-secret-0123456789abcdef.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { mountFetch as expressMountFetch, protect as expressProtect } from '../../src/adapters/express/index.ts';
import {
  mountFetch as fastifyMountFetch,
  protect as fastifyProtect,
  gatehousePlugin,
} from '../../src/adapters/fastify/index.ts';
import {
  type GatehouseVariables,
  mountFetch as honoMountFetch,
  protect as honoProtect,
} from '../../src/adapters/hono/index.ts';
import { idempotency, mountFetch, protect } from '../../src/adapters/node/index.ts';
import { startPlayground } from '../../src/playground/serve.ts';
import {
  apiKeyScheme,
  basicScheme,
  createApiKey,
  createAuthorizationServer,
  createGuard,
  createLoginProtection,
  createTokenService,
  hashPassword,
  memorySigningKeys,
  openStore,
  signatureScheme,
} from '../../src/server/index.ts';
import { POSTGRES_URL, REDIS_URL } from './services.ts';

const [kind = 'memory', namespace = `crash_${process.pid}`] = process.argv.slice(2);
const url = kind === 'memory' ? 'memory:' : kind === 'postgres' ? POSTGRES_URL : 'sqlite::memory:';
const redis = kind === 'redis' ? REDIS_URL : undefined;
const store = await openStore(url, { namespace, ...(redis ? { redis } : {}) });

const CRASH_USER = { username: 'alice', password: 'alice-password-1' };
const CRASH_CLIENT = { id: 'svc', secret: 'svc-secret-0123456789abcdef' };
const apiKey = createApiKey();
await store.users.putUser({
  username: CRASH_USER.username,
  id: 'u-alice',
  passwordHash: await hashPassword(CRASH_USER.password),
  scopes: ['read'],
  roles: ['member'],
});
await store.clients.putClient({ clientId: 'web', grants: ['password', 'refresh_token'], scopes: ['read'] });
await store.clients.putClient({
  clientId: CRASH_CLIENT.id,
  secretHash: createHash('sha256').update(CRASH_CLIENT.secret).digest('hex'),
  grants: ['client_credentials'],
  scopes: ['read'],
});
await store.apiKeys.putApiKey({ id: 'svc-key', keyId: apiKey.id, hash: apiKey.hash, scopes: ['read'] });

const service = createTokenService({ store, issuer: 'https://crash.test', reuseGraceMs: 300 });
const loginProtection = await createLoginProtection({
  backend: { memory: true },
  maxConsecutiveFailures: 1000,
  lockoutSeconds: 1,
  prefix: `crash${process.pid}`,
});
const oauth = createAuthorizationServer({
  service,
  legacyPasswordGrant: true,
  users: store.users,
  clients: store.clients,
  loginProtection,
});
const signing = memorySigningKeys([
  { id: 'svc-signer', keyId: 'key-1', secret: 'signing-secret-0123', scopes: ['read'] },
]);
const guard = createGuard({
  schemes: [
    service.bearerScheme(),
    basicScheme({ users: store.users }),
    apiKeyScheme({ query: 'api_key', keys: store.apiKeys }),
    signatureScheme({ keys: signing, nonces: store.nonces }),
  ],
});
const queryOnly = createGuard({ schemes: [apiKeyScheme({ query: 'api_key', keys: store.apiKeys })] });
const signedOnly = createGuard({ schemes: [signatureScheme({ keys: signing, nonces: store.nonces })] });

const echo = (req: { auth?: { id: string } }, res: import('node:http').ServerResponse) =>
  res.end(JSON.stringify({ id: req.auth?.id }));

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const ports: Record<string, number> = {};

// node:http: protect() with each scheme that reads the URL or the body, idempotency(), mountFetch().
const nodeRoutes: Record<
  string,
  (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown
> = {
  '/query': protect(queryOnly, echo),
  '/signed': protect(signedOnly, echo),
  '/api': protect(guard, echo),
  '/orders': protect(guard, idempotency({ ledger: store.idempotency }, echo)),
};
const oauthListener = mountFetch(oauth.handle);
ports['node'] = await listen(
  createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = nodeRoutes[path];
    void (route ? route(req, res) : oauthListener(req, res));
  }),
);

const app = express();
app.get('/api', expressProtect(guard), (req, res) => void res.json({ id: req.auth?.id }));
app.get('/query', expressProtect(queryOnly), (req, res) => void res.json({ id: req.auth?.id }));
app.post('/signed', expressProtect(signedOnly), (req, res) => void res.json({ id: req.auth?.id }));
app.use(expressMountFetch(oauth.handle));
ports['express'] = await listen(createServer(app));

const fastify = Fastify();
await fastify.register(async (scope) => {
  await scope.register(gatehousePlugin, { guard: signedOnly });
  scope.post('/signed', { preHandler: fastifyProtect(signedOnly) }, async (request) => ({ id: request.auth?.id }));
});
fastify.get('/api', { preHandler: fastifyProtect(guard) }, async (request) => ({ id: request.auth?.id }));
fastify.get('/query', { preHandler: fastifyProtect(queryOnly) }, async (request) => ({ id: request.auth?.id }));
await fastify.register(fastifyMountFetch, { handler: oauth.handle, paths: Object.values(oauth.paths) });
await fastify.listen({ port: 0, host: '127.0.0.1' });
ports['fastify'] = (fastify.server.address() as AddressInfo).port;

const hono = new Hono<{ Variables: GatehouseVariables }>();
hono.get('/api', honoProtect(guard), (c) => c.json({ id: c.get('auth')?.id }));
hono.get('/query', honoProtect(queryOnly), (c) => c.json({ id: c.get('auth')?.id }));
hono.post('/signed', honoProtect(signedOnly), (c) => c.json({ id: c.get('auth')?.id }));
hono.use(honoMountFetch(oauth.handle));
ports['hono'] = await new Promise<number>((resolve) => {
  const server = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
  void server;
});

const playground = await startPlayground({
  store: kind === 'memory' ? 'memory:' : url,
  namespace: `${namespace}_pg`,
  ...(redis ? { redis } : {}),
  // The attacks name the API api.test; the playground answers other names 421 (DNS rebinding).
  allowedHosts: ['api.test'],
});
ports['playground'] = Number(new URL(playground.url).port);

process.stdout.write(`${JSON.stringify({ ports, apiKey: apiKey.key })}\n`);
