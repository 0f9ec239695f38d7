/**
 * An authorization server on the memory store, served on a loopback port, for the introspection
 * tests: the public client web, the confidential clients svc and api (a resource server, allowed to
 * introspect tokens whose aud names https://api.test), and a count of introspection requests.
 */
import { createServer } from 'node:http';
import { mountFetch } from '../../src/adapters/node/index.ts';
import {
  type AuthorizationServer,
  createAuthorizationServer,
  createTokenService,
  memoryStore,
  type TokenService,
} from '../../src/server/index.ts';
import type { GatehouseStore } from '../../src/stores/types.ts';
import { listen } from './server.ts';
import { sha } from './token-world.ts';

export const API_RESOURCE = 'https://api.test';
export const SVC_SECRET = 'svc-secret-0123456789abcdef';
export const API_SECRET = 'api-secret-0123456789abcdef';

export interface Issuer {
  store: GatehouseStore;
  service: TokenService;
  server: AuthorizationServer;
  /** The origin; the introspection endpoint is at `${url}/oauth/introspect`. */
  url: string;
  /** How many requests reached the introspection endpoint. */
  introspections: number;
  close(): Promise<void>;
}

export async function introspectionIssuer(): Promise<Issuer> {
  const store = memoryStore();
  await store.clients.putClient({ clientId: 'web', grants: ['refresh_token'], scopes: ['read'] });
  for (const [clientId, secret] of [
    ['svc', SVC_SECRET],
    ['api', API_SECRET],
  ] as const)
    await store.clients.putClient({ clientId, secretHash: sha(secret), grants: ['client_credentials'], scopes: [] });
  const service = createTokenService({ store, issuer: 'https://auth.test', audience: API_RESOURCE });
  const server = createAuthorizationServer({
    service,
    users: store.users,
    clients: store.clients,
    introspectionPolicy: (caller, token) =>
      caller.clientId === 'api' && [token.claims['aud']].flat().includes(API_RESOURCE),
  });
  const oauth = mountFetch(server.handle);
  const issuer = { store, service, server, url: '', introspections: 0 } as Issuer;
  const http = createServer((req, res) => {
    if (req.url === '/oauth/introspect') issuer.introspections++;
    void oauth(req, res);
  });
  const listening = await listen(http);
  issuer.url = listening.url;
  issuer.close = () => listening.close();
  return issuer;
}
