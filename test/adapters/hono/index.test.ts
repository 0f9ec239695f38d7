/**
 * The Hono adapter in-process, the way Hono's own tests run: `app.request(new Request(…))`, no
 * socket, no @hono/node-server, so no client address either (as on Bun, Deno or Workers). Both
 * guards — protect (middleware) and protectHandler (around the handler) — behind preflight(guard),
 * with the authorization server mounted through mountFetch, answer as they do over a socket.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Context, Hono } from 'hono';
import {
  type GatehouseVariables,
  mountFetch,
  type ProtectOptions,
  preflight,
  protect,
  protectHandler,
} from '../../../src/adapters/hono/index.ts';
import {
  basicScheme,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type Guard,
  hashPassword,
  memoryUsers,
  openStore,
  requireRoles,
  requireScopes,
} from '../../../src/server/index.ts';
import type { GatehouseStore } from '../../../src/stores/types.ts';
import { basicHeader } from '../../support/guard-fixture.ts';

type Env = { Variables: GatehouseVariables };
type Handler = (c: Context<Env>) => Response;
const APP_ORIGIN = 'https://app.test';
const SVC_SECRET = 'svc-secret-0123456789abcdef';
const ALICE = basicHeader('alice', 'alice-password-1');

/** The two ways to guard a Hono route: mounts `handler` at GET `path` behind `guard`. */
type Mount = (app: Hono<Env>, path: string, guard: Guard, handler: Handler, options?: ProtectOptions) => void;
const forms: Array<[string, Mount]> = [
  ['protect (middleware)', (app, path, guard, handler, options) => app.get(path, protect(guard, options), handler)],
  [
    'protectHandler (around the handler)',
    (app, path, guard, handler, options) => app.get(path, protectHandler(guard, handler, options)),
  ],
];

let store: GatehouseStore;
let guard: Guard;
let handle: ReturnType<typeof createAuthorizationServer>['handle'];
before(async () => {
  store = await openStore('memory:');
  await store.clients.putClient({
    clientId: 'svc',
    secretHash: createHash('sha256').update(SVC_SECRET).digest('hex'),
    grants: ['client_credentials'],
    scopes: ['read'],
  });
  const service = createTokenService({ store, issuer: 'https://auth.test', algorithm: 'EdDSA' });
  handle = createAuthorizationServer({
    service,
    legacyPasswordGrant: true,
    users: store.users,
    clients: store.clients,
  }).handle;
  const users = memoryUsers([
    {
      id: 'u-alice',
      username: 'alice',
      passwordHash: await hashPassword('alice-password-1'),
      scopes: ['read'],
      roles: ['member'],
    },
  ]);
  guard = createGuard({
    schemes: [service.bearerScheme(), basicScheme({ users })],
    cors: { origins: [APP_ORIGIN] },
  });
});
after(() => store.close());

for (const [form, mount] of forms) {
  describe(`Hono in-process: ${form}`, () => {
    const runs: Array<string | undefined> = [];
    let app: Hono<Env>;
    before(() => {
      app = new Hono<Env>();
      app.use(preflight(guard));
      app.use(mountFetch(handle));
      const me: Handler = (c) => {
        runs.push(c.get('auth')?.id);
        return c.json({ id: c.get('auth')?.id, scheme: c.get('auth')?.scheme });
      };
      mount(app, '/me', guard, me);
      mount(app, '/admin', guard, me, { permission: requireScopes('admin') });
      mount(app, '/staff', guard, me, { permission: requireRoles('admin') });
    });
    const get = (path: string, headers: Record<string, string> = {}) =>
      app.request(new Request(`http://api.test${path}`, { headers }));

    it('no credentials: 401 with every challenge, problem+json, and the handler does not run', async () => {
      const before = runs.length;
      const response = await get('/me');
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="api", Basic realm="api", charset="UTF-8"');
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const body = await response.json();
      assert.deepStrictEqual([body.status, body.code], [401, 'credentials_missing']);
      assert.equal(runs.length, before, 'the handler never ran');
    });

    it('good credentials: 200, and the handler reads the principal with c.get("auth")', async () => {
      const response = await get('/me', { authorization: ALICE });
      assert.equal(response.status, 200);
      assert.deepStrictEqual(await response.json(), { id: 'u-alice', scheme: 'basic' });
      assert.equal(runs.at(-1), 'u-alice');
    });

    it('a permission refused: 403 insufficient_scope with its challenge, 403 forbidden without one', async () => {
      const before = runs.length;
      const scope = await get('/admin', { authorization: ALICE });
      assert.equal(scope.status, 403);
      assert.equal(
        scope.headers.get('www-authenticate'),
        'Bearer realm="api", error="insufficient_scope", scope="admin"',
      );
      assert.equal((await scope.json()).code, 'insufficient_scope');
      const role = await get('/staff', { authorization: ALICE });
      assert.equal(role.status, 403);
      assert.equal(role.headers.get('www-authenticate'), null);
      assert.match(role.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal((await role.json()).code, 'forbidden');
      assert.equal(runs.length, before, 'the handler never ran');
    });

    it('mountFetch: the authorization server answers its paths, and its token opens the guarded route', async () => {
      const metadata = await get('/.well-known/oauth-authorization-server');
      assert.equal(metadata.status, 200);
      assert.equal(
        (await metadata.json()).token_endpoint,
        'https://auth.test/oauth/token' /* RFC 8414 §3.3: the issuer's */,
      );
      const issued = await app.request(
        new Request('http://api.test/oauth/token', {
          method: 'POST',
          headers: {
            authorization: basicHeader('svc', SVC_SECRET),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
        }),
      );
      assert.equal(issued.status, 200);
      assert.equal(issued.headers.get('cache-control'), 'no-store');
      const token = await issued.json();
      assert.equal(token.token_type, 'Bearer');
      const me = await get('/me', { authorization: `Bearer ${token.access_token}` });
      assert.equal(me.status, 200);
      assert.deepStrictEqual(await me.json(), { id: 'client:svc', scheme: 'bearer' });
    });

    it('preflight: 204 with the policy allowance for an allowed origin, nothing for another, and no handler run', async () => {
      const before = runs.length;
      const ask = (origin: string) =>
        app.request(
          new Request('http://api.test/me', {
            method: 'OPTIONS',
            headers: {
              origin,
              'access-control-request-method': 'GET',
              'access-control-request-headers': 'authorization',
            },
          }),
        );
      const allowed = await ask(APP_ORIGIN);
      assert.equal(allowed.status, 204);
      assert.equal(allowed.headers.get('access-control-allow-origin'), APP_ORIGIN);
      assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /\bGET\b/);
      assert.match(allowed.headers.get('vary') ?? '', /\bOrigin\b/i);
      assert.equal(await allowed.text(), '');
      const other = await ask('https://evil.test');
      assert.equal(other.status, 204);
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      assert.equal(runs.length, before, 'the handler never ran');
    });
  });
}
