/**
 * Gatehouse's authorization server as an independent OAuth client library meets it: on a loopback
 * port, its issuer the URL it is reached at (RFC 8414 §3.3), on a real SQLite store, with a public
 * and a confidential client of the code flow and a user to sign in. `signIn()` plays the browser:
 * it opens the authorize URL a library built, fills in the sign-in form the page shows, and
 * returns the URL the browser is sent back to.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type DpopOptions,
  type GatehouseStore,
  hashPassword,
  openStore,
  type TokenService,
} from '../../src/server/index.ts';
import { listen } from './server.ts';
import { sha } from './token-world.ts';

/** The one resource (RFC 8707) the token service may issue tokens for, besides its own audience. */
export const API = 'https://api.interop.test';
/** The registered redirect URIs of both clients (never listened on: the test reads the Location). */
export const CALLBACK = 'http://127.0.0.1:9/callback';
export const OTHER_CALLBACK = 'http://127.0.0.1:9/other';
/** The public client (a native app) and the confidential one (a web backend) with its secret. */
export const PUBLIC_CLIENT = 'native-app';
export const CONFIDENTIAL_CLIENT = 'web-backend';
export const CONFIDENTIAL_SECRET = 'web-backend-secret-0123456789';

export interface InteropWorld {
  /** The issuer: the server's origin, `http://127.0.0.1:PORT`. */
  issuer: string;
  store: GatehouseStore;
  service: TokenService;
  /** GET `path` with a bearer token: /me accepts the issuer's audience, /api/me the API's. */
  callApi(path: '/me' | '/api/me', accessToken: string): Promise<Response>;
  close(): Promise<void>;
}

/** `dpop`: the authorization server binds tokens to DPoP proofs (RFC 9449), with these options (server nonces…). */
export async function interopWorld(options: { dpop?: boolean | DpopOptions } = {}): Promise<InteropWorld> {
  let route: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const listening = await listen(createServer((req, res) => route(req, res)));
  const issuer = listening.url;
  const store = await openStore('sqlite::memory:');
  await store.users.putUser({
    username: 'alice',
    id: 'u-alice',
    passwordHash: await hashPassword('alice-password-1'),
    scopes: ['read', 'write'],
  });
  const redirectUris = [CALLBACK, OTHER_CALLBACK];
  const scopes = ['read', 'write'];
  await store.clients.putClient({
    clientId: PUBLIC_CLIENT,
    grants: ['authorization_code', 'refresh_token'],
    scopes,
    redirectUris,
  });
  await store.clients.putClient({
    clientId: CONFIDENTIAL_CLIENT,
    secretHash: sha(CONFIDENTIAL_SECRET),
    grants: ['authorization_code', 'refresh_token', 'client_credentials'],
    scopes,
    redirectUris,
  });
  // reuseGraceMs 0: a rotated refresh token is refused the moment it comes back.
  const service = createTokenService({ store, issuer, resources: [API], reuseGraceMs: 0 });
  const server = createAuthorizationServer({
    service,
    users: store.users,
    clients: store.clients,
    codes: store.authorizationCodes,
    ...(options.dpop ? { dpop: { nonces: store.nonces, ...(options.dpop === true ? {} : options.dpop) } } : {}),
  });
  const me = (scheme: ReturnType<TokenService['bearerScheme']>) =>
    protect(createGuard({ schemes: [scheme] }), (req, res) => res.end(JSON.stringify({ id: req.auth?.id })));
  const own = me(service.bearerScheme());
  const api = me(service.bearerScheme(API));
  const oauth = mountFetch(server.handle);
  route = (req, res) => {
    if (req.url === '/me') return void own(req, res);
    if (req.url === '/api/me') return void api(req, res);
    return void oauth(req, res);
  };
  return {
    issuer,
    store,
    service,
    callApi: (path, accessToken) => fetch(issuer + path, { headers: { authorization: `Bearer ${accessToken}` } }),
    close: async () => {
      await listening.close();
      await store.close();
    },
  };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescapeHtml = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

/**
 * The browser's part: opens `authorizeUrl`, posts the page's form as alice would fill it in (its
 * hidden fields, her name and password, Allow) to the page's own URL, and returns where the 303
 * sends the browser back. Throws when the page shows no form or the answer is no redirect.
 */
export async function signIn(authorizeUrl: URL): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('<form'))
    throw new Error(`the authorize page answered ${page.status} without a form`);
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    form.append(unescapeHtml(name!), unescapeHtml(value!));
  form.append('username', 'alice');
  form.append('password', 'alice-password-1');
  form.append('decision', 'allow');
  const answer = await fetch(authorizeUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: authorizeUrl.origin },
    body: form,
  });
  const location = answer.headers.get('location');
  if (answer.status !== 303 || !location) throw new Error(`the sign-in answered ${answer.status}, not a redirect`);
  return new URL(location);
}

/** Where the authorize endpoint sends the browser at once (a refused request), without a sign-in. */
export async function openAuthorize(
  authorizeUrl: URL,
): Promise<{ status: number; location: URL | undefined; html: string }> {
  const answer = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = answer.headers.get('location');
  return { status: answer.status, location: location ? new URL(location) : undefined, html: await answer.text() };
}
