/**
 * An authorization server with the authorization-code flow on, over a real socket, and a client's
 * side of that flow as a browser and an app would play it: PKCE pairs, the authorize URL, the
 * sign-in form posted, the code read from the redirect, the code redeemed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  type AuthorizationServerOptions,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type GatehouseStore,
  hashPassword,
  memoryStore,
  openStore,
  type TokenService,
} from '../../src/server/index.ts';
import { listen } from './server.ts';
import { post, SVC_SECRET, sha } from './token-world.ts';

export const ISSUER = 'https://auth.test';
export const API = 'https://api.test';
export const REPORTS = 'https://reports.test';
export const REDIRECT = 'http://127.0.0.1:9/callback';
export const OTHER_REDIRECT = 'http://127.0.0.1:9/other';

export interface CodeWorld {
  store: GatehouseStore;
  service: TokenService;
  url: string;
  close(): Promise<void>;
}

/**
 * Users alice (alice-password-1: read, write) and bob; public clients `app` (two redirect URIs)
 * and `solo` (one), the confidential `svc`; resources API and REPORTS; /api/me behind the API's
 * bearer scheme, /me behind the default audience's.
 */
export async function codeWorld(
  options: { store?: 'memory' | 'sqlite'; withoutCodes?: boolean } & Partial<AuthorizationServerOptions> = {},
): Promise<CodeWorld> {
  const { store: kind = 'memory', withoutCodes = false, ...serverOptions } = options;
  const store = kind === 'memory' ? memoryStore() : await openStore('sqlite::memory:');
  await store.users.putUser({
    username: 'alice',
    id: 'u-alice',
    passwordHash: await hashPassword('alice-password-1'),
    scopes: ['read', 'write'],
  });
  const grants = ['authorization_code', 'refresh_token'];
  await store.clients.putClient({
    clientId: 'app',
    grants,
    scopes: ['read', 'write'],
    redirectUris: [REDIRECT, OTHER_REDIRECT],
  });
  await store.clients.putClient({ clientId: 'solo', grants, scopes: ['read'], redirectUris: [REDIRECT] });
  await store.clients.putClient({
    clientId: 'svc',
    secretHash: sha(SVC_SECRET),
    grants: ['client_credentials', 'password'],
    scopes: ['read'],
  });
  const service = createTokenService({ store, issuer: ISSUER, resources: [API, REPORTS] });
  const server = createAuthorizationServer({
    service,
    users: store.users,
    clients: store.clients,
    ...(withoutCodes ? {} : { codes: store.authorizationCodes }),
    ...serverOptions,
  });
  const me = (scheme: ReturnType<TokenService['bearerScheme']>) =>
    protect(createGuard({ schemes: [scheme] }), (req, res) => res.end(JSON.stringify({ id: req.auth?.id })));
  const api = me(service.bearerScheme(API));
  const own = me(service.bearerScheme());
  const oauth = mountFetch(server.handle);
  const http = createServer((req, res) => {
    if (req.url === '/api/me') return void api(req, res);
    if (req.url === '/me') return void own(req, res);
    return void oauth(req, res);
  });
  const listening = await listen(http);
  return {
    store,
    service,
    url: listening.url,
    close: async () => {
      await listening.close();
      await store.close();
    },
  };
}

/** A PKCE pair (RFC 7636 §4.1–4.2): a random verifier and its S256 challenge. */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization request's parameters for `app`, with a fresh PKCE pair; `extra` overrides. */
export function authorizationParams(extra: Record<string, string | string[] | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const base: Record<string, string | string[] | undefined> = {
    response_type: 'code',
    client_id: 'app',
    redirect_uri: REDIRECT,
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(base))
    for (const one of value === undefined ? [] : [value].flat()) params.append(name, one);
  return { params, verifier };
}

/** The authorize endpoint's answer to a GET, redirect not followed. */
export const authorizeGet = (url: string, params: URLSearchParams) =>
  fetch(`${url}/oauth/authorize?${params}`, { redirect: 'manual' });

/** The sign-in form posted: the request's parameters plus the user's answer. */
export const authorizePost = (url: string, params: URLSearchParams, form: Record<string, string>, headers = {}) => {
  const body = new URLSearchParams(params);
  for (const [name, value] of Object.entries(form)) body.append(name, value);
  return fetch(`${url}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
};

/** The query of a 303's Location. */
export const redirectedTo = (response: Response) => new URL(response.headers.get('location') ?? 'about:blank');

/** Alice signs in and allows: the code from the redirect, with the verifier to redeem it. */
export async function aliceCode(url: string, extra: Record<string, string | string[] | undefined> = {}) {
  const { params, verifier } = authorizationParams(extra);
  const answer = await authorizePost(url, params, {
    username: 'alice',
    password: 'alice-password-1',
    decision: 'allow',
  });
  if (answer.status !== 303) throw new Error(`authorize answered ${answer.status}: ${await answer.text()}`);
  const code = redirectedTo(answer).searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirectedTo(answer).search}`);
  return { code, verifier };
}

/** Redeems a code at the token endpoint as the public client `app` (`extra` fields, `headers` such as DPoP). */
export const redeem = (
  url: string,
  code: string,
  verifier: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) =>
  post(
    `${url}/oauth/token`,
    {
      grant_type: 'authorization_code',
      client_id: 'app',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      ...extra,
    },
    headers,
  );
