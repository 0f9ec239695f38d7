/**
 * The authorization server's endpoints besides the grants: revocation (RFC 7009), JWKS, metadata
 * (RFC 8414), signing-key rotation; and the one fetch-style handler mounted through every adapter.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { decodeProtectedHeader } from 'jose';
import { mountFetch as expressMountFetch } from '../../../src/adapters/express/index.ts';
import { mountFetch as fastifyMountFetch } from '../../../src/adapters/fastify/index.ts';
import { mountFetch as honoMountFetch } from '../../../src/adapters/hono/index.ts';
import { type AuthorizationServer, createAuthorizationServer, INVALID_ARGUMENT } from '../../../src/server/index.ts';
import { serveHono } from '../../support/adapter-apps.ts';
import { listen } from '../../support/server.ts';
import { basicClient, post, SVC_SECRET, type World, world } from '../../support/token-world.ts';

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
    // RFC 8414 §3.3: the endpoints are the issuer's, not the origin this request happened to reach.
    assert.equal(metadata.token_endpoint, 'https://auth.test/oauth/token');
    assert.equal(metadata.revocation_endpoint, 'https://auth.test/oauth/revoke');
    assert.equal(metadata.jwks_uri, 'https://auth.test/.well-known/jwks.json');
    assert.deepStrictEqual(metadata.grant_types_supported, ['client_credentials', 'refresh_token', 'password']);
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

describe('the endpoints mount through every adapter', () => {
  const page = 'http://page.test';
  let w: World;
  before(async () => {
    w = await world({ cors: { origins: [page] } });
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
        // The CORS preflight reaches the endpoint, and its answer allows the page.
        const preflight = await fetch(`${app.url}/oauth/token`, {
          method: 'OPTIONS',
          headers: { origin: page, 'access-control-request-method': 'POST', 'access-control-request-headers': 'dpop' },
        });
        assert.deepStrictEqual([preflight.status, preflight.headers.get('access-control-allow-origin')], [204, page]);
        const fromPage = await post(
          `${app.url}/oauth/token`,
          { grant_type: 'client_credentials' },
          {
            ...basicClient('svc', SVC_SECRET),
            origin: page,
          },
        );
        assert.deepStrictEqual([fromPage.status, fromPage.headers.get('access-control-allow-origin')], [200, page]);
      } finally {
        await app.close();
      }
    });
  }
});

describe('CORS on the endpoints a page calls (the cors option): token, revocation, metadata, never authorize', () => {
  const page = 'http://page.test:5173';
  let w: World;
  before(async () => {
    w = await world({ cors: { origins: [page] } });
  });
  after(() => w.close());

  const preflight = (path: string, origin = page) =>
    fetch(`${w.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, dpop',
      },
    });
  const allowOrigin = (response: Response) => response.headers.get('access-control-allow-origin');

  it('a preflight of the token or revocation endpoint: 204 with what the policy allows', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke']) {
      const answer = await preflight(path);
      assert.equal(answer.status, 204, path);
      assert.equal(allowOrigin(answer), page, path);
      assert.equal(answer.headers.get('access-control-allow-headers'), 'Authorization, Content-Type, DPoP', path);
      assert.equal(answer.headers.get('vary'), 'Origin', path);
    }
  });

  it('the answers a page reads carry the allowance, refusals included', async () => {
    const origin = { origin: page };
    const granted = await post(
      `${w.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      {
        ...basicClient('svc', SVC_SECRET),
        ...origin,
      },
    );
    assert.equal(granted.status, 200);
    assert.equal(granted.headers.get('access-control-allow-origin'), page);
    assert.match(granted.headers.get('access-control-expose-headers') ?? '', /DPoP-Nonce/);
    // invalid_client: the page can read the error and its challenge.
    const refused = await post(
      `${w.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      {
        ...basicClient('svc', 'nope'),
        ...origin,
      },
    );
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), page);
    assert.match(refused.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/);
    const revoked = await post(`${w.url}/oauth/revoke`, { client_id: 'web', token: 'rt_unknown' }, origin);
    assert.equal(revoked.headers.get('access-control-allow-origin'), page);
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/jwks.json'])
      assert.equal(allowOrigin(await fetch(`${w.url}${path}`, { headers: origin })), page, path);
  });

  it('never the authorize endpoint (navigated to, not fetched), nor another origin', async () => {
    const authorize = await fetch(`${w.url}/oauth/authorize?client_id=web`, { headers: { origin: page } });
    assert.equal(allowOrigin(authorize), null);
    assert.equal(allowOrigin(await preflight('/oauth/authorize')), null);
    const other = 'http://evil.test';
    assert.equal(allowOrigin(await preflight('/oauth/token', other)), null);
    const token = await post(
      `${w.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      {
        ...basicClient('svc', SVC_SECRET),
        origin: other,
      },
    );
    assert.equal(token.status, 200);
    assert.equal(token.headers.get('access-control-allow-origin'), null);
  });

  it('refuses at creation a policy the browser could not hold to', () => {
    const { service, store } = w;
    for (const cors of [{ origins: '*' as const, credentials: true }, { origins: ['https://page.test/'] }])
      assert.throws(() => createAuthorizationServer({ service, users: store.users, clients: store.clients, cors }), {
        code: INVALID_ARGUMENT,
        message: /^createAuthorizationServer: cors/,
      });
  });
});
