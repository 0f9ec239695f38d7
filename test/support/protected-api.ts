/**
 * A protected resource on a loopback port for the client's discovery tests: `/api/*` wants a JWT
 * access token from `issuer` for the resource `<origin>/api` and answers a bare 401 that names its
 * RFC 9728 metadata. `/other/*` points to metadata that names `/api` instead (an impersonation),
 * and `/mixup/*` to metadata whose authorization server (`/fake-as`, served here) names another
 * issuer. `hits` counts each path so a test can tell what the client fetched.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, jwtVerify } from 'jose';

export interface ProtectedApi {
  origin: string;
  /** The resource identifier of `/api`. */
  resource: string;
  hits: Map<string, number>;
  /** Set once the authorization server is up. */
  trust(issuer: string, publicKey: CryptoKey): void;
  close(): Promise<void>;
}

export async function startProtectedApi(): Promise<ProtectedApi> {
  let issuer = '';
  let key: CryptoKey | undefined;
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    const wellKnown = '/.well-known/oauth-protected-resource';
    if (path === `${wellKnown}/api` || path === `${wellKnown}/other`)
      return json(200, { resource: `${origin}/api`, authorization_servers: [issuer], scopes_supported: ['api:read'] });
    if (path === `${wellKnown}/mixup`)
      return json(200, { resource: `${origin}/mixup`, authorization_servers: [`${origin}/fake-as`] });
    if (path === '/.well-known/oauth-authorization-server/fake-as')
      return json(200, { issuer, token_endpoint: `${origin}/fake-as/token` });
    const area = /^\/(api|other|mixup)(\/|$)/.exec(path)?.[1];
    if (!area) return json(404, { error: 'not found' });
    const challenge = { 'www-authenticate': `Bearer resource_metadata="${origin}${wellKnown}/${area}"` };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !key) return json(401, { error: 'no token' }, challenge);
    return void jwtVerify(token, key, { issuer, audience: `${origin}/api` }).then(
      ({ payload }) => json(200, { sub: payload.sub, scope: payload['scope'] }),
      () =>
        json(
          401,
          { error: 'invalid_token' },
          { 'www-authenticate': `${challenge['www-authenticate']}, error="invalid_token"` },
        ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    resource: `${origin}/api`,
    hits,
    trust(trusted, publicKey) {
      issuer = trusted;
      key = publicKey;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
