/**
 * The playground: a Hono app built from Gatehouse's own server layer (dogfood) plus httpbin's
 * auth endpoints and the faults httpbin cannot simulate.
 */
import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { clientAddressOf, fetchHandler, type GatehouseVariables, honoGuard } from '../adapters/hono.ts';
import { createGuard, type Guard } from '../server/guard.ts';
import type { LoginProtection } from '../server/login-protection.ts';
import { requireRoles, requireScopes } from '../server/permissions.ts';
import { isRefusal } from '../server/refusal.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../server/request-limits.ts';
import { apiKeyScheme } from '../server/schemes/api-key.ts';
import { basicScheme } from '../server/schemes/basic.ts';
import { issueSession, sessionScheme } from '../server/schemes/session.ts';
import { signatureScheme } from '../server/schemes/signature.ts';
import { failureResponse, problemResponse } from '../server/server-failure.ts';
import { createSignIn } from '../server/sign-in.ts';
import { createAuthorizationServer } from '../server/tokens/authorization-server.ts';
import type { TokenService } from '../server/tokens/token-service.ts';
import type { SessionLookup } from '../stores/lookups.ts';
import { memorySigningKeys } from '../stores/memory.ts';
import type { GatehouseStore } from '../stores/types.ts';
import { ClientKeyedStateFullError, clientKeyedState, fullResponse } from './client-keyed-state.ts';
import { playgroundCors } from './cors.ts';
import { faultRoutes } from './faults/index.ts';
import { hostCheck } from './host-check.ts';
import { httpbinRoutes } from './httpbin/index.ts';
import { httpbinJson } from './httpbin/json.ts';
import { INDEX_POLICY, indexPage } from './index-page.ts';
import { inertAnswers } from './inert-answers.ts';
import { ordersRoutes } from './orders.ts';
import { DEMO } from './seed.ts';

export interface PlaygroundOptions {
  store: GatehouseStore;
  service: TokenService;
  loginProtection: LoginProtection;
  /** The other listening port's origin, for cross-origin redirects; known once it listens. */
  otherOrigin: () => string | undefined;
  /** Origins a browser page may read answers from, besides loopback ones (see cors.ts). @default [] */
  corsOrigins?: readonly string[];
  /** Whether the store holds the demo accounts, for GET / to list them or say they are absent. @default true */
  demoAccounts?: boolean;
  /**
   * Answer only a Host that is loopback, an IP address or one of these names (see host-check.ts),
   * for a playground listening on loopback; undefined answers any Host. @default undefined
   */
  allowedHosts?: readonly string[];
  /**
   * How many entries each map of what clients chose or caused holds (rate-limit windows, flaky
   * ids, order keys, sessions): when all are live, a new one gets 503 store_unavailable.
   * @default 10_000
   */
  maxTrackedKeys?: number;
}

/** How long a session lasts (the cookie's Max-Age too). */
const SESSION_SECONDS = 3600; // 1 h

const SESSION_SECRET = randomBytes(32).toString('hex');

export function createPlayground(options: PlaygroundOptions): Hono<{ Variables: GatehouseVariables }> {
  const { store, service, loginProtection } = options;
  // A session remembers who signed in and with which stored hash; the user is looked up on every
  // request, so a demoted user's roles change at once, and a deleted user or a new password ends it.
  const signedIn = clientKeyedState<{ username: string; passwordHash: string }>(
    'sessions (/session/login)',
    options.maxTrackedKeys,
  );
  const sessions: SessionLookup = {
    async findSession(id) {
      const session = signedIn.get(id, Date.now());
      const user = session && (await store.users.findUserByName(session.username));
      return user && user.passwordHash === session.passwordHash ? user : undefined;
    },
  };
  const signatures = signatureScheme({
    keys: memorySigningKeys([
      { keyId: DEMO.signing.keyId, secret: DEMO.signing.secret, id: 'lab-signer', scopes: ['read'] },
    ]),
    layout: 'lab',
    nonces: store.nonces,
  });
  const anyScheme: Guard = createGuard({
    realm: 'playground',
    schemes: [
      service.bearerScheme(),
      basicScheme({ users: store.users, loginProtection }),
      apiKeyScheme({ header: 'X-API-Key', keys: store.apiKeys }),
      signatures,
    ],
  });
  const signedOnly = createGuard({ realm: 'playground', schemes: [signatures] });
  const sessionOnly = createGuard({
    realm: 'playground',
    schemes: [sessionScheme({ secret: SESSION_SECRET, sessions })],
  });
  const oauth = createAuthorizationServer({ service, users: store.users, clients: store.clients, loginProtection });
  const signIn = createSignIn({ users: store.users, loginProtection });

  const app = new Hono<{ Variables: GatehouseVariables }>();
  // Outermost, so that every answer (421, preflight, 404, 500 included) is inert in a browser.
  app.use('*', inertAnswers({ indexPolicy: INDEX_POLICY }));
  if (options.allowedHosts) app.use('*', hostCheck(options.allowedHosts));
  app.use('*', playgroundCors({ origins: options.corsOrigins ?? [] }));
  // Every body the playground reads (echoes, logins, signed requests) is counted while it streams.
  const limitBody = bodyLimit({
    maxSize: DEFAULT_MAX_BODY_BYTES,
    onError: () =>
      problemResponse('body_too_large', `The playground reads bodies of at most ${DEFAULT_MAX_BODY_BYTES} bytes.`, {
        connection: 'close',
      }),
  });
  app.use('*', (c, next) => {
    try {
      // @hono/node-server builds the Request on first use; a target it cannot make one of (a
      // URL with userinfo) is the client's malformed request, not the playground's failure.
      void c.req.raw.body;
    } catch {
      return Promise.resolve(problemResponse('request_invalid', 'The request target is not a valid URL.'));
    }
    return limitBody(c, next);
  });
  app.get('/', (c) => c.html(indexPage({ demoAccounts: options.demoAccounts ?? true })));
  app.use(fetchHandler(oauth.handle));

  const principal = (c: Context<{ Variables: GatehouseVariables }>) => {
    const auth = c.get('auth');
    return c.json({
      authenticated: true,
      id: auth?.id,
      scheme: auth?.scheme,
      scopes: auth?.scopes,
      roles: auth?.roles,
    });
  };
  app.all('/api/me', honoGuard(anyScheme), principal);
  app.all('/api/admin', honoGuard(anyScheme, { permission: requireScopes('admin') }), principal);
  app.all('/api/staff', honoGuard(anyScheme, { permission: requireRoles('admin') }), principal);
  app.all('/api/signed', honoGuard(signedOnly), async (c) =>
    c.json({ verified: true, id: c.get('auth')?.id, body: await c.req.text() }),
  );
  app.all('/api/session', honoGuard(sessionOnly), principal);

  // A cookie session for the session scheme: POST username and password as a form. The password
  // is checked by the one sign-in (dummy hash, login protection, one refusal), as Basic and the
  // password grant check it; refusals are the guard's, from the catalogue.
  app.post('/session/login', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const user = await signIn.verify(form.get('username') ?? '', form.get('password') ?? '', clientAddressOf(c));
    if (isRefusal(user)) return sessionOnly.refuse(user);
    const id = randomBytes(24).toString('base64url');
    const now = Date.now();
    try {
      signedIn.hold(
        id,
        { username: user.username, passwordHash: user.passwordHash },
        now + SESSION_SECONDS * 1000,
        now,
      );
    } catch (error) {
      if (error instanceof ClientKeyedStateFullError) return fullResponse(error);
      throw error;
    }
    const issued = issueSession(id, { secret: SESSION_SECRET, maxAgeSeconds: SESSION_SECONDS });
    // Secure is dropped on plain-HTTP loopback, where a browser would not send the cookie back.
    return c.json({ csrfToken: issued.csrfToken }, 200, { 'set-cookie': issued.setCookie.replace('; Secure', '') });
  });

  // Tokens that are expired, or not valid yet, on demand: to see the refusals they get.
  app.get('/tokens/:kind', async (c) => {
    const now = Date.now();
    const kind = c.req.param('kind');
    const subject = { id: 'u-alice', roles: ['member'] };
    if (kind === 'expired')
      return c.json({
        access_token: await service.signAccessToken(subject, {
          clientId: DEMO.publicClient,
          scope: 'read',
          expiresAt: now - 60_000,
        }),
      });
    if (kind === 'not-yet-valid') {
      return c.json({
        access_token: await service.signAccessToken(subject, {
          clientId: DEMO.publicClient,
          scope: 'read',
          expiresAt: now + 7_200_000,
          notBefore: now + 3_600_000,
        }),
      });
    }
    if (kind === 'valid')
      return c.json({
        access_token: await service.signAccessToken(subject, {
          clientId: DEMO.publicClient,
          scope: 'read',
          expiresAt: now + 600_000,
        }),
      });
    return problemResponse('request_invalid', 'Use expired, not-yet-valid or valid.');
  });

  // A redirect to the other listening port: credentials must not follow it.
  app.get('/cross-origin/redirect', (c) => {
    const other = options.otherOrigin();
    const path = c.req.query('path') ?? '/headers';
    if (!other || !path.startsWith('/')) return problemResponse('request_invalid', 'path must start with /.');
    return c.body('', 302, { location: other + path });
  });

  const tracked = options.maxTrackedKeys === undefined ? {} : { maxTrackedKeys: options.maxTrackedKeys };
  app.route('/', ordersRoutes(store.idempotency, tracked));
  app.route('/', httpbinRoutes());
  app.route('/', faultRoutes(tracked));

  app.notFound((c) => httpbinJson(c, { error: 'not_found', path: c.req.path, hint: 'GET / lists every route.' }, 404));
  app.onError((error) => failureResponse({ reason: 'internal_error', source: 'playground', error }));
  return app;
}
