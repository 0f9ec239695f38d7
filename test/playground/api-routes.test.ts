/** The playground's guarded API: tokens issued to the seeded users, and /api/* guarded with every scheme. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basic, bearer, createClient, discoveredOAuth } from '../../src/client/index.ts';
import { loopbackLogin } from '../../src/client/loopback-login.ts';
import { parseChallenges } from '../../src/http/index.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { playgroundPerFile } from '../support/playground.ts';
import { signInAsAlice } from '../support/playground-code.ts';

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
