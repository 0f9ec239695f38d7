/** The playground's guarded API: tokens issued to the seeded users, and /api/* guarded with every scheme. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { mountFetch } from '../../src/adapters/node/index.ts';
import { basic, bearer, createClient, discoveredOAuth, StepUpRequiredError } from '../../src/client/index.ts';
import { loopbackLogin } from '../../src/client/loopback-login.ts';
import { parseChallenges } from '../../src/http/index.ts';
import { createPlayground } from '../../src/playground/app.ts';
import { DEMO, seed } from '../../src/playground/seed.ts';
import { createLoginProtection } from '../../src/server/login-protection.ts';
import { createTokenService } from '../../src/server/tokens/token-service.ts';
import { memoryStore } from '../../src/stores/memory.ts';
import { playgroundPerFile } from '../support/playground.ts';
import { signInAsAlice } from '../support/playground-code.ts';
import { listen } from '../support/server.ts';

const pg = playgroundPerFile();
const { json } = pg;

describe('playground: OAuth and the guarded routes', () => {
  it('issues tokens to the seeded users and guards /api/* with every scheme', async () => {
    const token = await json('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: DEMO.publicClient,
        username: 'admin',
        password: 'admin-password',
        scope: 'read admin',
      }),
    });
    assert.equal(token.status, 200);
    const asAdmin = await json('/api/admin', { headers: { authorization: `Bearer ${token.body.access_token}` } });
    assert.deepStrictEqual([asAdmin.status, asAdmin.body.id, asAdmin.body.scheme], [200, 'u-admin', 'bearer']);
    const viaBasic = await createClient({ baseUrl: pg.url, auth: basic('alice', 'alice-password') }).get('api/me');
    assert.equal((await viaBasic.json()).id, 'u-alice');
    const viaKey = await json('/api/me', { headers: { 'x-api-key': DEMO.apiKey.key } });
    assert.equal(viaKey.body.id, 'svc-demo');
    const staff = await json('/api/staff', { headers: { authorization: `Basic ${btoa('alice:alice-password')}` } });
    assert.deepStrictEqual([staff.status, staff.body.code], [403, 'forbidden']);
  });
});

describe('playground: the API says where to get a token (RFC 9728)', () => {
  it('names its protected resource metadata in every Bearer challenge, and serves it', async () => {
    const refused = await fetch(`${pg.url}/api/me`);
    assert.equal(refused.status, 401);
    const bearer = parseChallenges(refused.headers.get('www-authenticate') ?? '').find((c) => c.scheme === 'Bearer');
    assert.equal(bearer?.params['resource_metadata'], `${pg.url}/.well-known/oauth-protected-resource`);
    const document = await json('/.well-known/oauth-protected-resource');
    assert.equal(document.status, 200);
    assert.equal(document.body.resource, pg.url);
    assert.deepEqual(document.body.authorization_servers, [pg.url]);
  });

  it('from a bare 401 to a working call: the client discovers the token endpoint, gets a token, and calls again once', async () => {
    const client = createClient({
      auth: discoveredOAuth({
        clientId: DEMO.serviceClient.id,
        clientSecret: DEMO.serviceClient.secret,
        authorizationServer: pg.url,
      }),
    });
    const answer = await client.get(`${pg.url}/api/me`);
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), {
      authenticated: true,
      id: `client:${DEMO.serviceClient.id}`,
      scheme: 'bearer',
      scopes: ['read'],
      roles: [],
    });
  });
});

describe('playground: signing in at a terminal (authorization code + PKCE through a loopback redirect)', () => {
  it('loopbackLogin: alice signs in on the playground’s own page, and the token calls the API as her', async () => {
    let signedIn: Promise<Response> | undefined;
    const source = await loopbackLogin({
      issuer: pg.url,
      clientId: DEMO.publicClient,
      scope: 'read',
      timeoutMs: 20_000,
      // The test plays the user's browser: the printed URL, the sign-in form, the redirect back.
      print: (text) => {
        const url = text.split('\n').find((line) => line.startsWith('http'))!;
        signedIn = signInAsAlice(pg.url, url);
      },
    });
    assert.equal((await signedIn!).status, 200, 'the loopback listener answered the browser');
    const me = await createClient({ baseUrl: pg.url, auth: bearer(source) }).get('api/me');
    assert.deepEqual(await me.json(), {
      authenticated: true,
      id: 'u-alice',
      scheme: 'bearer',
      scopes: ['read'],
      roles: [],
    });
    assert.deepEqual(await source.revoke(), { refreshToken: 'revoked', accessToken: 'revoked' });
  });
});

describe('playground: /api/step-up needs acr mfa within 300 s (RFC 9470)', () => {
  const passwordToken = async () =>
    (
      await json('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: DEMO.publicClient,
          username: 'alice',
          password: 'alice-password',
        }),
      })
    ).body.access_token as string;

  it('a token without mfa: 401 insufficient_user_authentication naming acr_values and max_age', async () => {
    const refused = await json('/api/step-up', { headers: { authorization: `Bearer ${await passwordToken()}` } });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'insufficient_user_authentication');
    const bearer = parseChallenges(refused.headers.get('www-authenticate') ?? '').find((c) => c.scheme === 'Bearer');
    assert.equal(bearer?.params['error'], 'insufficient_user_authentication');
    assert.deepStrictEqual([bearer?.params['acr_values'], bearer?.params['max_age']], ['mfa', '300']);
  });

  it('signed in at /oauth/authorize with acr_values=mfa and the one-time code: 200', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = 'http://127.0.0.1:9/callback';
    const form = new URLSearchParams({
      response_type: 'code',
      client_id: DEMO.publicClient,
      redirect_uri: redirectUri,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      acr_values: 'mfa',
      username: 'alice',
      password: 'alice-password',
      otp: DEMO.oneTimeCode,
      decision: 'allow',
    });
    const signedIn = await fetch(`${pg.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(signedIn.status, 303);
    const code = new URL(signedIn.headers.get('location')!).searchParams.get('code')!;
    const token = await json('/oauth/token', {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: DEMO.publicClient,
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
      }),
    });
    const allowed = await json('/api/step-up', { headers: { authorization: `Bearer ${token.body.access_token}` } });
    assert.deepStrictEqual([allowed.status, allowed.body.id], [200, 'u-alice']);
  });

  it('the client: StepUpRequiredError, then loopbackLogin with its acrValues and maxAge signs in at that level', async () => {
    const weak = await createClient({ baseUrl: pg.url, auth: bearer(await passwordToken()) })
      .get('api/step-up')
      .catch((e: unknown) => e);
    assert.ok(weak instanceof StepUpRequiredError);
    assert.deepStrictEqual([weak.acrValues, weak.maxAge], [['mfa'], 300]);
    let signedIn: Promise<Response> | undefined;
    let asked: URL | undefined;
    const source = await loopbackLogin({
      issuer: pg.url,
      clientId: DEMO.publicClient,
      scope: 'read',
      acrValues: weak.acrValues,
      ...(weak.maxAge !== undefined ? { maxAge: weak.maxAge } : {}),
      timeoutMs: 20_000,
      print: (text) => {
        asked = new URL(text.split('\n').find((line) => line.startsWith('http'))!);
        signedIn = signInAsAlice(pg.url, asked.href, { otp: DEMO.oneTimeCode });
      },
    });
    assert.equal((await signedIn!).status, 200);
    assert.deepStrictEqual([asked?.searchParams.get('acr_values'), asked?.searchParams.get('max_age')], ['mfa', '300']);
    const strong = await createClient({ baseUrl: pg.url, auth: bearer(source) }).get('api/step-up');
    assert.equal((await strong.json()).id, 'u-alice');
  });

  it('an mfa sign-in older than 300 s: 401 naming max_age', async () => {
    const store = memoryStore();
    await seed(store);
    const service = createTokenService({ store, issuer: 'https://playground.test' });
    const app = createPlayground({
      store,
      service,
      loginProtection: await createLoginProtection({ backend: { memory: true } }),
      otherOrigin: () => undefined,
    });
    const server = await listen(createServer(mountFetch(async (request) => app.fetch(request))));
    try {
      const at = (authTime: number) =>
        service.issue({ id: 'u-alice' }, { clientId: DEMO.publicClient, scope: 'read', acr: 'mfa', authTime });
      const now = Math.floor(Date.now() / 1000);
      const ask = async (authTime: number) =>
        fetch(`${server.url}/api/step-up`, {
          headers: { authorization: `Bearer ${(await at(authTime)).access_token}` },
        });
      const stale = await ask(now - 301);
      assert.equal(stale.status, 401);
      assert.match(stale.headers.get('www-authenticate') ?? '', /max_age="300"/);
      assert.equal((await ask(now - 250)).status, 200);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
