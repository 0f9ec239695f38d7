/** The token service and authorization server the tests of src/server/tokens share, over a real socket. */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  type AuthorizationServer,
  type CorsPolicy,
  createAuthorizationServer,
  createGuard,
  createLoginProtection,
  createTokenService,
  type GatehouseStore,
  hashPassword,
  openStore,
  type TokenService,
} from '../../src/server/index.ts';
import { listen } from './server.ts';

/** The confidential client `svc`'s secret. */
export const SVC_SECRET = 'svc-secret-0123456789abcdef';
/** SHA-256 in hex, as the store keeps client secrets and refresh tokens. */
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export interface World {
  store: GatehouseStore;
  service: TokenService;
  server: AuthorizationServer;
  url: string;
  close(): Promise<void>;
}

/**
 * An authorization server on a SQLite store in memory, with the user alice (alice-password-1), the
 * public client web and the confidential client svc; its endpoints and GET /api/me (behind the
 * token service's bearer scheme) on one loopback server. Three failures in a row lock a user out.
 * `cors` is the authorization server's policy (the authorize endpoint is on, for it to be left out).
 */
export async function world(
  options: { algorithm?: 'EdDSA' | 'ES256' | 'HS256'; grace?: number; cors?: CorsPolicy } = {},
): Promise<World> {
  const store = await openStore('sqlite::memory:');
  await store.users.putUser({
    username: 'alice',
    id: 'u-alice',
    passwordHash: await hashPassword('alice-password-1'),
    scopes: ['read', 'write'],
    roles: ['member'],
  });
  await store.clients.putClient({ clientId: 'web', grants: ['password', 'refresh_token'], scopes: ['read', 'write'] });
  await store.clients.putClient({
    clientId: 'svc',
    secretHash: sha(SVC_SECRET),
    grants: ['client_credentials'],
    scopes: ['read', 'reports'],
  });
  const service = createTokenService({
    store,
    issuer: 'https://auth.test',
    algorithm: options.algorithm ?? 'EdDSA',
    ...(options.algorithm === 'HS256' ? { secret: 'hs256-secret-of-at-least-32-bytes-long!' } : {}),
    reuseGraceMs: options.grace ?? 300,
  });
  const loginProtection = await createLoginProtection({
    backend: { memory: true },
    maxConsecutiveFailures: 3,
    lockoutSeconds: 60,
    prefix: `t${Date.now()}`,
  });
  const server = createAuthorizationServer({
    service,
    legacyPasswordGrant: true,
    users: store.users,
    clients: store.clients,
    loginProtection,
    ...(options.cors ? { cors: options.cors, codes: store.authorizationCodes } : {}),
  });
  const guard = createGuard({ schemes: [service.bearerScheme()] });
  const api = protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id, scopes: req.auth?.scopes })));
  const oauth = mountFetch(server.handle);
  const http = createServer((req, res) => void (req.url?.startsWith('/api') ? api(req, res) : oauth(req, res)));
  const listening = await listen(http);
  return {
    store,
    service,
    server,
    url: listening.url,
    close: async () => {
      await listening.close();
      await store.close();
    },
  };
}

/** POSTs a form, as an OAuth client does: the status, the headers and the JSON body (`{}` when empty). */
export async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** The Authorization header of a client authenticating with HTTP Basic (RFC 6749 §2.3.1: each part form-encoded). */
export const basicClient = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});
