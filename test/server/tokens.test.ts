import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { decodeProtectedHeader } from 'jose';
import { mountFetch as expressMountFetch } from '../../src/adapters/express/index.ts';
import { mountFetch as fastifyMountFetch } from '../../src/adapters/fastify/index.ts';
import { mountFetch as honoMountFetch } from '../../src/adapters/hono/index.ts';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  type AuthorizationServer,
  createAuthorizationServer,
  createGuard,
  createLoginProtection,
  createTokenService,
  type GatehouseStore,
  hashPassword,
  openStore,
  type TokenService,
} from '../../src/server/index.ts';
import { serveHono } from '../support/adapter-apps.ts';
import { listen } from '../support/server.ts';

const SVC_SECRET = 'svc-secret-0123456789abcdef';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface World {
  store: GatehouseStore;
  service: TokenService;
  server: AuthorizationServer;
  url: string;
  close(): Promise<void>;
}

async function world(options: { algorithm?: 'EdDSA' | 'ES256' | 'HS256'; grace?: number } = {}): Promise<World> {
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
  const server = createAuthorizationServer({ service, users: store.users, clients: store.clients, loginProtection });
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

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

const basicClient = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});

describe('token endpoint (RFC 6749)', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());
  const token = (form: Record<string, string>, headers?: Record<string, string>) =>
    post(`${w.url}/oauth/token`, form, headers);
  const login = () =>
    token({ grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1', scope: 'read' });

  it('password grant: a JWT access token and an opaque refresh token, never cached', async () => {
    const answer = await login();
    assert.equal(answer.status, 200);
    assert.deepStrictEqual(Object.keys(answer.body).sort(), [
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    assert.deepStrictEqual(
      [answer.body.token_type, answer.body.expires_in, answer.body.scope],
      ['Bearer', 600, 'read'],
    );
    assert.match(answer.body.refresh_token, /^rt_[A-Za-z0-9_-]{43}$/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const header = decodeProtectedHeader(answer.body.access_token);
    assert.deepStrictEqual([header.alg, header.typ], ['EdDSA', 'at+jwt']);
    const me = await fetch(`${w.url}/api/me`, { headers: { authorization: `Bearer ${answer.body.access_token}` } });
    assert.deepStrictEqual(await me.json(), { id: 'u-alice', scopes: ['read'] });
  });

  it('stores refresh tokens hashed, never in clear', async () => {
    const { body } = await login();
    const stored = await w.store.refreshTokens.findRefreshToken(sha(body.refresh_token));
    assert.equal(stored?.subject, 'u-alice');
    assert.equal(await w.store.refreshTokens.findRefreshToken(body.refresh_token), undefined);
  });

  it('client credentials by Basic or by body; no refresh token', async () => {
    const byHeader = await token(
      { grant_type: 'client_credentials', scope: 'reports' },
      basicClient('svc', SVC_SECRET),
    );
    assert.equal(byHeader.status, 200);
    assert.equal(byHeader.body.refresh_token, undefined);
    assert.equal(byHeader.body.scope, 'reports');
    const byBody = await token({ grant_type: 'client_credentials', client_id: 'svc', client_secret: SVC_SECRET });
    assert.deepStrictEqual([byBody.status, byBody.body.scope], [200, 'read reports']);
  });

  it('invalid_client: 401 with a Basic challenge when the client used the header, 400 when it used the body', async () => {
    const header = await token({ grant_type: 'client_credentials' }, basicClient('svc', 'wrong-secret'));
    assert.equal(header.status, 401);
    assert.equal(header.headers.get('www-authenticate'), 'Basic realm="oauth", charset="UTF-8"');
    assert.equal(header.body.error, 'invalid_client');
    const body = await token({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 'wrong-secret' });
    assert.deepStrictEqual(
      [body.status, body.body.error, body.headers.get('www-authenticate')],
      [400, 'invalid_client', null],
    );
    assert.ok(!JSON.stringify(header.body).includes('wrong-secret'));
  });

  const errors: Array<[string, Record<string, string>, Record<string, string>, number, string]> = [
    ['no grant_type', { client_id: 'web' }, {}, 400, 'invalid_request'],
    ['an unknown grant', { grant_type: 'authorization_code', client_id: 'web' }, {}, 400, 'unsupported_grant_type'],
    [
      'a grant the client may not use',
      { grant_type: 'client_credentials', client_id: 'web' },
      {},
      400,
      'unauthorized_client',
    ],
    [
      'a scope outside the client',
      { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1', scope: 'admin' },
      {},
      400,
      'invalid_scope',
    ],
    ['a missing password', { grant_type: 'password', client_id: 'web', username: 'alice' }, {}, 400, 'invalid_request'],
    [
      'an unknown refresh token',
      { grant_type: 'refresh_token', client_id: 'web', refresh_token: 'rt_unknown' },
      {},
      400,
      'invalid_grant',
    ],
    [
      'an unknown client',
      { grant_type: 'password', client_id: 'ghost', username: 'a', password: 'b' },
      {},
      400,
      'invalid_client',
    ],
    [
      'two ways of client authentication',
      { grant_type: 'client_credentials', client_secret: SVC_SECRET },
      basicClient('svc', SVC_SECRET),
      400,
      'invalid_request',
    ],
  ];
  for (const [what, form, headers, status, error] of errors) {
    it(`${what}: ${status} ${error}`, async () => {
      const answer = await token(form, headers);
      assert.deepStrictEqual([answer.status, answer.body.error], [status, error]);
      assert.ok(typeof answer.body.error_description === 'string' && answer.body.error_description.length > 10);
    });
  }

  it('a parameter sent twice, a GET, and a JSON body are invalid requests', async () => {
    const twice = await fetch(`${w.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&grant_type=password',
    });
    assert.deepStrictEqual([twice.status, (await twice.json()).error], [400, 'invalid_request']);
    const get = await fetch(`${w.url}/oauth/token`);
    assert.deepStrictEqual([get.status, get.headers.get('allow')], [405, 'POST']);
    const asJson = await fetch(`${w.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"password"}',
    });
    assert.equal((await asJson.json()).error, 'invalid_request');
  });

  it('answers 404 outside its endpoints', async () => {
    assert.equal((await fetch(`${w.url}/nothing-here`)).status, 404);
  });
});

describe('refresh-token rotation and reuse detection (RFC 9700 §4.14.2)', () => {
  let w: World;
  before(async () => {
    w = await world({ grace: 300 });
  });
  after(() => w.close());
  const refresh = (refreshToken: string) =>
    post(`${w.url}/oauth/token`, { grant_type: 'refresh_token', client_id: 'web', refresh_token: refreshToken });
  const login = async () =>
    (
      await post(`${w.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: 'alice-password-1',
      })
    ).body as { refresh_token: string; access_token: string };

  it('rotates on every use: each refresh returns a new refresh token', async () => {
    const first = await login();
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    const third = await refresh(second.body.refresh_token);
    assert.equal(third.status, 200);
  });

  it('presenting a rotated token after the grace window revokes the whole family', async () => {
    const first = await login();
    const second = (await refresh(first.refresh_token)).body;
    await new Promise((r) => setTimeout(r, 400));
    const reuse = await refresh(first.refresh_token);
    assert.deepStrictEqual([reuse.status, reuse.body.error], [400, 'invalid_grant']);
    assert.match(reuse.body.error_description, /already used; its whole family is revoked/);
    // The legitimate holder's newer token dies with the family.
    const legit = await refresh(second.refresh_token);
    assert.deepStrictEqual([legit.status, legit.body.error], [400, 'invalid_grant']);
  });

  it('two concurrent refreshes with the same token inside the grace window both succeed, with one successor between them', async () => {
    const first = await login();
    const [a, b] = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    assert.deepStrictEqual([a.status, b.status], [200, 200]);
    assert.equal(a.body.refresh_token, b.body.refresh_token, 'the chain does not fork');
    assert.equal((await refresh(a.body.refresh_token)).status, 200);
  });

  it('a refresh cannot widen the scope, but may narrow it', async () => {
    const first = (
      await post(`${w.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: 'alice-password-1',
        scope: 'read',
      })
    ).body;
    const wider = await post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: first.refresh_token,
      scope: 'read write',
    });
    assert.deepStrictEqual([wider.status, wider.body.error], [400, 'invalid_scope']);
  });
});

describe('revocation (RFC 7009), JWKS, metadata, key rotation', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());
  const login = async () =>
    (
      await post(`${w.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: 'alice-password-1',
      })
    ).body;
  const revoke = (token: string, hint?: string) =>
    post(`${w.url}/oauth/revoke`, { client_id: 'web', token, ...(hint ? { token_type_hint: hint } : {}) });
  const api = (token: string) => fetch(`${w.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

  it('revoking a refresh token ends its family', async () => {
    const tokens = await login();
    assert.equal((await revoke(tokens.refresh_token, 'refresh_token')).status, 200);
    const after = await post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: tokens.refresh_token,
    });
    assert.equal(after.body.error, 'invalid_grant');
  });

  it('revoking an access token puts its jti on the deny-list: the API refuses it with token_revoked', async () => {
    const tokens = await login();
    assert.equal((await api(tokens.access_token)).status, 200);
    assert.equal((await revoke(tokens.access_token, 'access_token')).status, 200);
    const refused = await api(tokens.access_token);
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).code, 'token_revoked');
  });

  it('answers 200 for a token it does not know, and ignores another client’s token', async () => {
    assert.equal((await revoke('rt_nothing-like-this')).status, 200);
    const tokens = await login();
    const other = await post(`${w.url}/oauth/revoke`, { token: tokens.refresh_token }, basicClient('svc', SVC_SECRET));
    assert.equal(other.status, 200);
    const still = await post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: tokens.refresh_token,
    });
    assert.equal(still.status, 200);
  });

  it('publishes its public keys as a JWKS and its metadata (RFC 8414)', async () => {
    const jwks = await (await fetch(`${w.url}/.well-known/jwks.json`)).json();
    assert.equal(jwks.keys.length, 1);
    assert.deepStrictEqual(Object.keys(jwks.keys[0]).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    const metadata = await (await fetch(`${w.url}/.well-known/oauth-authorization-server`)).json();
    assert.equal(metadata.issuer, 'https://auth.test');
    assert.equal(metadata.token_endpoint, `${w.url}/oauth/token`);
    assert.equal(metadata.revocation_endpoint, `${w.url}/oauth/revoke`);
    assert.equal(metadata.jwks_uri, `${w.url}/.well-known/jwks.json`);
    assert.deepStrictEqual(metadata.grant_types_supported, ['password', 'client_credentials', 'refresh_token']);
  });

  it('rotates its signing key and keeps verifying tokens signed with the old one', async () => {
    const before = await login();
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    const newKid = await w.service.rotateSigningKey();
    const after = await login();
    assert.equal(decodeProtectedHeader(after.access_token).kid, newKid);
    assert.notEqual(newKid, oldKid);
    assert.equal((await api(before.access_token)).status, 200);
    assert.equal((await api(after.access_token)).status, 200);
    const jwks = await (await fetch(`${w.url}/.well-known/jwks.json`)).json();
    assert.deepStrictEqual(jwks.keys.map((k: { kid: string }) => k.kid).sort(), [oldKid, newKid].sort());
  });

  it('HS256 works too, with an empty JWKS', async () => {
    const hs = await world({ algorithm: 'HS256' });
    const tokens = (
      await post(`${hs.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: 'alice-password-1',
      })
    ).body;
    assert.equal(decodeProtectedHeader(tokens.access_token).alg, 'HS256');
    assert.equal(
      (await fetch(`${hs.url}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status,
      200,
    );
    assert.deepStrictEqual(await (await fetch(`${hs.url}/.well-known/jwks.json`)).json(), { keys: [] });
    await hs.close();
  });
});

describe('login protection', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());
  const attempt = (username: string, password: string) =>
    post(`${w.url}/oauth/token`, { grant_type: 'password', client_id: 'web', username, password });

  it('locks a username out after consecutive failures: 429, Retry-After, code locked_out, even for the right password', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await attempt('alice', `wrong-${i}`)).status, 400);
    const locked = await attempt('alice', 'alice-password-1');
    assert.equal(locked.status, 429);
    assert.equal(locked.body.code, 'locked_out');
    assert.equal(locked.body.error, 'invalid_grant');
    const wait = Number(locked.headers.get('retry-after'));
    assert.ok(wait > 50 && wait <= 60, String(wait));
  });

  it('an unknown user and a wrong password look the same, in body and in time', async () => {
    // Five real users, each tried once with a wrong password, against five unknown names.
    for (let i = 0; i < 5; i++)
      await w.store.users.putUser({
        username: `known-${i}`,
        id: `u-${i}`,
        passwordHash: await hashPassword(`right-${i}`),
        scopes: [],
        roles: [],
      });
    const timed = async (username: string) => {
      const start = performance.now();
      const answer = await attempt(username, 'not-the-password');
      return { ms: performance.now() - start, body: JSON.stringify(answer.body), status: answer.status };
    };
    const known: Array<{ ms: number; body: string; status: number }> = [];
    const unknown: typeof known = [];
    for (let i = 0; i < 5; i++) {
      known.push(await timed(`known-${i}`));
      unknown.push(await timed(`unknown-${i}`));
    }
    assert.ok([...known, ...unknown].every((a) => a.status === 400 && a.body === known[0]!.body));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both do one argon2id hash; without the dummy hash an unknown user would answer ~100× faster.
    const ratio = median(unknown.map((a) => a.ms)) / median(known.map((a) => a.ms));
    assert.ok(ratio > 0.33 && ratio < 3, `unknown/known time ratio ${ratio.toFixed(2)}`);
  });
});

describe('the endpoints mount through every adapter', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  after(() => w.close());

  const mounts: Array<[string, (server: AuthorizationServer) => Promise<{ url: string; close(): Promise<void> }>]> = [
    [
      'Express',
      async (server) => {
        const app = express();
        app.use(expressMountFetch(server.handle));
        return listen(createServer(app));
      },
    ],
    [
      'Fastify',
      async (server) => {
        const app = Fastify();
        await app.register(fastifyMountFetch, { handler: server.handle, paths: Object.values(server.paths) });
        const url = await app.listen({ port: 0, host: '127.0.0.1' });
        return { url, close: () => app.close() };
      },
    ],
    [
      'Hono',
      async (server) => {
        const app = new Hono();
        app.use(honoMountFetch(server.handle));
        return serveHono(app);
      },
    ],
  ];
  for (const [name, mount] of mounts) {
    it(`${name}: password grant, refresh, and invalid_client with its challenge`, async () => {
      const app = await mount(w.server);
      try {
        const login = await post(`${app.url}/oauth/token`, {
          grant_type: 'password',
          client_id: 'web',
          username: 'alice',
          password: 'alice-password-1',
        });
        assert.equal(login.status, 200);
        const refreshed = await post(`${app.url}/oauth/token`, {
          grant_type: 'refresh_token',
          client_id: 'web',
          refresh_token: login.body.refresh_token,
        });
        assert.equal(refreshed.status, 200);
        const bad = await post(
          `${app.url}/oauth/token`,
          { grant_type: 'client_credentials' },
          basicClient('svc', 'nope'),
        );
        assert.deepStrictEqual(
          [bad.status, bad.headers.get('www-authenticate')],
          [401, 'Basic realm="oauth", charset="UTF-8"'],
        );
        assert.equal((await fetch(`${app.url}/.well-known/jwks.json`)).status, 200);
      } finally {
        await app.close();
      }
    });
  }
});
