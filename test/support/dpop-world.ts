/** DPoP proofs made by hand (to break them on purpose), and an authorization server and API with DPoP on. */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { type AuthenticatedRequest, mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  type CorsPolicy,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type DpopOptions,
  type GatehouseStore,
  hashPassword,
  openStore,
  requireAuthLevel,
  requireScopes,
  type TokenService,
} from '../../src/server/index.ts';
import { listen } from './server.ts';
import { sha } from './token-world.ts';

export interface ProofKey {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

export async function proofKey(alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

export interface ProofParts {
  htm: string;
  htu: string;
  accessToken?: string;
  nonce?: string | undefined;
  iat?: number;
  jti?: string;
  typ?: string;
  alg?: string;
  jwk?: JWK;
}

/** A DPoP proof (RFC 9449 §4.2) signed with `key`; every part can be set to a wrong value. */
export async function proof(key: ProofKey, parts: ProofParts): Promise<string> {
  const claims: Record<string, unknown> = { htm: parts.htm, htu: parts.htu, jti: parts.jti ?? randomUUID() };
  if (parts.accessToken !== undefined)
    claims['ath'] = createHash('sha256').update(parts.accessToken).digest('base64url');
  if (parts.nonce !== undefined) claims['nonce'] = parts.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: parts.alg ?? 'ES256', typ: parts.typ ?? 'dpop+jwt', jwk: parts.jwk ?? key.jwk })
    .setIssuedAt(parts.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

export interface DpopWorld {
  store: GatehouseStore;
  service: TokenService;
  url: string;
  /** The `use_dpop_nonce` refusals the server sent, counted where it sent them: 401s of the API, 400s of the token endpoint. */
  nonceRefusals: { api: number; token: number };
  close(): Promise<void>;
}

/**
 * An authorization server with DPoP on (the public client web: password and refresh_token; the
 * confidential svc: client_credentials), and GET /api/me behind the DPoP and bearer schemes
 * (with the guard's `cors` policy when one is given). Beside it, guards of one scheme each:
 * /api/dpop-only and /api/bearer-only, and behind the DPoP scheme alone /api/step-up (an `mfa`
 * sign-in in the last 300 s, RFC 9470) and /api/admin (scope admin), which no token here has.
 */
export async function dpopWorld(
  proofOptions: DpopOptions = {},
  asOptions: DpopOptions = {},
  apiOptions: { cors?: CorsPolicy } = {},
): Promise<DpopWorld> {
  const store = await openStore('sqlite::memory:');
  await store.users.putUser({
    username: 'alice',
    id: 'u-alice',
    passwordHash: await hashPassword('alice-password-1'),
    scopes: ['read'],
    roles: [],
  });
  await store.clients.putClient({ clientId: 'web', grants: ['password', 'refresh_token'], scopes: ['read'] });
  await store.clients.putClient({
    clientId: 'svc',
    secretHash: sha('svc-secret-0123456789abcdef'),
    grants: ['client_credentials', 'refresh_token'],
    scopes: ['read'],
  });
  const service = createTokenService({ store, issuer: 'https://auth.test', reuseGraceMs: 0 });
  const server = createAuthorizationServer({
    service,
    legacyPasswordGrant: true,
    users: store.users,
    clients: store.clients,
    dpop: { nonces: store.nonces, ...asOptions },
  });
  const nonceRefusals = { api: 0, token: 0 };
  const dpop = service.dpopScheme(undefined, { nonces: store.nonces, ...proofOptions });
  const common = {
    onRefusal: (refusal: { reason: string }) => {
      if (refusal.reason === 'dpop_nonce_required') nonceRefusals.api++;
    },
    ...apiOptions,
  };
  const guard = createGuard({ schemes: [dpop, service.bearerScheme()], ...common });
  const dpopOnly = createGuard({ schemes: [dpop], ...common });
  const bearerOnly = createGuard({ schemes: [service.bearerScheme()], ...common });
  const who = (req: AuthenticatedRequest, res: ServerResponse) =>
    res.end(JSON.stringify({ id: req.auth?.id, scheme: req.auth?.scheme }));
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/api/me': protect(guard, who),
    '/api/dpop-only': protect(dpopOnly, who),
    '/api/bearer-only': protect(bearerOnly, who),
    '/api/step-up': protect(dpopOnly, who, { permission: requireAuthLevel({ acr: 'mfa', maxAge: 300 }) }),
    '/api/admin': protect(dpopOnly, who, { permission: requireScopes('admin') }),
  };
  const api = (req: IncomingMessage, res: ServerResponse) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) return route(req, res);
    res.writeHead(404).end();
  };
  const oauth = mountFetch(async (request, info) => {
    const answer = await server.handle(request, info);
    if (answer?.status === 400 && (await answer.clone().json()).error === 'use_dpop_nonce') nonceRefusals.token++;
    return answer;
  });
  const http = createServer((req, res) => void (req.url?.startsWith('/api') ? api(req, res) : oauth(req, res)));
  const listening = await listen(http);
  return {
    store,
    service,
    url: listening.url,
    nonceRefusals,
    close: async () => {
      await listening.close();
      await store.close();
    },
  };
}
