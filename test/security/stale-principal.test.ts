/**
 * Stale principals: an account changed in the store (demoted, given other roles, deleted; an API
 * key revoked or re-scoped) must be seen by the very next request, although the credential itself
 * still verifies and was verified a moment ago. Caches may spare a hash, never the current record.
 * Against every store, over a real socket.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { protect } from '../../src/adapters/node/index.ts';
import { createPlayground } from '../../src/playground/app.ts';
import {
  apiKeyScheme,
  basicScheme,
  createApiKey,
  createGuard,
  createLoginProtection,
  createTokenService,
  type GatehouseStore,
  hashPassword,
  openStore,
  requireRoles,
} from '../../src/server/index.ts';
import { serveHono } from '../support/adapter-apps.ts';
import { basicHeader } from '../support/guard-fixture.ts';
import { listen } from '../support/server.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

const stores: Record<string, (t: TestContext) => Promise<GatehouseStore | undefined>> = {
  memory: () => openStore('memory:'),
  sqlite: () => openStore('sqlite::memory:'),
  postgres: async (t) => {
    if (!(await requirePostgres(t))) return undefined;
    const schema = runSchema('stale');
    const store = await openStore(POSTGRES_URL, { namespace: schema });
    t.after(() => dropSchema(schema));
    return store;
  },
};

/** A requireRoles('admin') route and a route any principal may use, behind Basic and API keys. */
async function serve(t: TestContext, store: GatehouseStore): Promise<string> {
  const guard = createGuard({
    realm: 'api',
    schemes: [basicScheme({ users: store.users }), apiKeyScheme({ header: 'X-API-Key', keys: store.apiKeys })],
  });
  const show = protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id, roles: req.auth?.roles })));
  const admin = protect(guard, (_req, res) => res.end('admin area'), { permission: requireRoles('admin') });
  const server = await listen(
    createServer((req, res) => void (req.url === '/admin' ? admin(req, res) : show(req, res))),
  );
  t.after(() => server.close());
  return server.url;
}

const get = async (url: string, headers: Record<string, string>) => {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.text() };
};

for (const [name, open] of Object.entries(stores)) {
  describe(`stale principals on the ${name} store`, () => {
    it("the playground's cookie session: a demoted, deleted or re-passworded user is seen by the next request", async (t) => {
      const store = await open(t);
      if (!store) return;
      t.after(() => store.close());
      const passwordHash = await hashPassword('admin-password-1');
      const admin = { username: 'root', id: 'u-root', passwordHash, scopes: ['read'], roles: ['admin'] };
      await store.users.putUser(admin);
      const app = createPlayground({
        store,
        service: createTokenService({ store, issuer: 'https://playground.test' }),
        loginProtection: await createLoginProtection({ backend: { memory: true } }),
        otherOrigin: () => undefined,
      });
      const served = await serveHono(app);
      t.after(() => served.close());
      const { url } = served;
      const signIn = async () => {
        const login = await fetch(`${url}/session/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username: 'root', password: 'admin-password-1' }),
        });
        assert.equal(login.status, 200);
        return { cookie: login.headers.get('set-cookie')!.split(';')[0]! };
      };
      let auth = await signIn();
      const roles = async () => JSON.parse((await get(`${url}/api/session`, auth)).body).roles;
      assert.deepStrictEqual(await roles(), ['admin']);
      await store.users.putUser({ ...admin, roles: [] });
      assert.deepStrictEqual(await roles(), [], 'demoted');
      await store.users.putUser({ ...admin, roles: ['auditor'] });
      assert.deepStrictEqual(await roles(), ['auditor'], 'given other roles');
      await store.users.removeUser('root');
      assert.equal((await get(`${url}/api/session`, auth)).status, 401, 'deleted');
      await store.users.putUser(admin);
      auth = await signIn();
      await store.users.putUser({ ...admin, passwordHash: await hashPassword('new-password-2') });
      assert.equal((await get(`${url}/api/session`, auth)).status, 401, 'a new password ends the session');
    });

    it('Basic: a demoted, re-roled or deleted user is seen by the next request, cached credentials or not', async (t) => {
      const store = await open(t);
      if (!store) return;
      t.after(() => store.close());
      const passwordHash = await hashPassword('admin-password-1');
      const admin = { username: 'root', id: 'u-root', passwordHash, scopes: ['read'], roles: ['admin'] };
      await store.users.putUser(admin);
      const url = await serve(t, store);
      const auth = { authorization: basicHeader('root', 'admin-password-1') };

      assert.equal((await get(`${url}/admin`, auth)).status, 200);
      assert.equal((await get(`${url}/admin`, auth)).status, 200, 'verified, then remembered');

      // Demoted, same password: the cache may spare the hash, not the new roles.
      await store.users.putUser({ ...admin, roles: [] });
      const demoted = await get(`${url}/admin`, auth);
      assert.equal(demoted.status, 403, demoted.body);
      assert.equal(JSON.parse(demoted.body).code, 'forbidden');
      assert.deepStrictEqual(JSON.parse((await get(`${url}/me`, auth)).body), { id: 'u-root', roles: [] });

      await store.users.putUser({ ...admin, roles: ['auditor', 'admin'] });
      assert.equal((await get(`${url}/admin`, auth)).status, 200, 'promoted again');
      assert.deepStrictEqual(JSON.parse((await get(`${url}/me`, auth)).body).roles, ['auditor', 'admin']);

      assert.equal(await store.users.removeUser('root'), true);
      const gone = await get(`${url}/me`, auth);
      assert.equal(gone.status, 401, gone.body);
      assert.equal(JSON.parse(gone.body).code, 'credentials_invalid');
      assert.equal((await get(`${url}/admin`, auth)).status, 401);

      // Re-created under the same name with another password: the old one does not come back.
      await store.users.putUser({ ...admin, passwordHash: await hashPassword('new-password-2') });
      assert.equal((await get(`${url}/me`, auth)).status, 401);
      assert.equal((await get(`${url}/admin`, { authorization: basicHeader('root', 'new-password-2') })).status, 200);
    });

    it('API keys: a re-roled, revoked or deleted key is seen by the next request', async (t) => {
      const store = await open(t);
      if (!store) return;
      t.after(() => store.close());
      const created = createApiKey();
      const record = { keyId: created.id, id: 'svc-ops', hash: created.hash, scopes: ['read'], roles: ['admin'] };
      await store.apiKeys.putApiKey(record);
      const url = await serve(t, store);
      const auth = { 'x-api-key': created.key };

      assert.equal((await get(`${url}/admin`, auth)).status, 200);
      assert.equal((await get(`${url}/admin`, auth)).status, 200);
      await store.apiKeys.putApiKey({ ...record, roles: [] });
      assert.equal((await get(`${url}/admin`, auth)).status, 403);
      await store.apiKeys.putApiKey({ ...record, roles: ['admin'] });
      assert.equal((await get(`${url}/admin`, auth)).status, 200);
      assert.equal(await store.apiKeys.revokeApiKey(created.id), true);
      const revoked = await get(`${url}/me`, auth);
      assert.equal(revoked.status, 401, revoked.body);
      assert.equal(JSON.parse(revoked.body).code, 'credentials_invalid');
      assert.equal((await get(`${url}/admin`, auth)).status, 401);
    });
  });
}
