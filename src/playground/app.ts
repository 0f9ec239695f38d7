/**
 * The playground: a Hono app built from Gatehouse's own server layer (dogfood) plus httpbin's
 * auth endpoints and the faults httpbin cannot simulate.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type GatehouseVariables, mountFetch } from '../adapters/hono/index.ts';
import type { LoginProtection } from '../server/login-protection.ts';
import { protectedResourceMetadata } from '../server/protected-resource.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../server/request-limits.ts';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../server/server-failure.ts';
import { createAuthorizationServer } from '../server/tokens/authorization-server.ts';
import type { TokenService } from '../server/tokens/token-service.ts';
import type { GatehouseStore } from '../stores/types.ts';
import { apiRoutes } from './api-routes.ts';
import { playgroundCors } from './cors.ts';
import { faultRoutes } from './faults/index.ts';
import { hostCheck } from './host-check.ts';
import { httpbinRoutes } from './httpbin/index.ts';
import { httpbinJson } from './httpbin/json.ts';
import { INDEX_POLICY, indexPage } from './index-page.ts';
import { inertAnswers } from './inert-answers.ts';
import { ordersRoutes } from './orders.ts';
import { DEMO } from './seed.ts';
import { sessionRoutes } from './session-routes.ts';
import { tokenRoutes } from './token-routes.ts';

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
  /** Sees each failure of the playground's own (a store out of reach, a bug). @default logFailure, a line on stderr each */
  onError?: OnError;
}

export function createPlayground(options: PlaygroundOptions): Hono<{ Variables: GatehouseVariables }> {
  const { store, service, loginProtection, onError } = options;
  const oauth = createAuthorizationServer({
    service,
    users: store.users,
    clients: store.clients,
    loginProtection,
    // The authorization-code flow with PKCE, with the built-in sign-in and consent page.
    codes: store.authorizationCodes,
    // The playground keeps the password grant (RFC 9700 §2.4 forbids it) so that curl and the tour
    // can get a token in one request; a real server leaves it off.
    legacyPasswordGrant: true,
    // Step-up (RFC 9470): acr_values=mfa asks for the demo's published one-time code too.
    authorize: { secondFactor: { acr: 'mfa', verify: (_user, code) => code === DEMO.oneTimeCode } },
    ...(onError ? { onError } : {}),
  });

  // The guarded API describes itself (RFC 9728): its tokens come from this playground's own
  // authorization server, for the audience the token service signs (its issuer unless set).
  const resourceMetadata = protectedResourceMetadata({
    resource: service.audience,
    authorizationServers: [service.issuer],
    scopesSupported: ['read', 'admin', 'role:admin'],
    resourceName: 'Gatehouse playground API',
  });

  const app = new Hono<{ Variables: GatehouseVariables }>();
  // Outermost, so that every answer (421, preflight, 404, 500 included) is inert in a browser.
  // The sign-in form keeps the authorization server's own policy, which lets it be sent (authorize-page.ts).
  app.use('*', inertAnswers({ indexPolicy: INDEX_POLICY, ownPolicyPaths: ['/oauth/authorize'] }));
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
  app.use(mountFetch(oauth.handle, onError ? { onError } : {}));
  app.use(mountFetch(resourceMetadata.handle, onError ? { onError } : {}));
  app.route('/', apiRoutes({ store, service, loginProtection, onError, resourceMetadata }));
  app.route('/', sessionRoutes({ store, loginProtection, maxTrackedKeys: options.maxTrackedKeys, onError }));
  app.route('/', tokenRoutes(service));

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
  // A route that throws: a store out of reach (an order's ledger, a sign-in's lookup) is 503, anything else 500.
  app.onError((error) => {
    const failure = failureOf(error, 'playground');
    report(onError, failure);
    return failureResponse(failure);
  });
  return app;
}
