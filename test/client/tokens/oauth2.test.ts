import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AuthenticationError,
  bearer,
  createClient,
  memoryTokenStore,
  oauth2ClientCredentials,
  oauth2RefreshToken,
} from '../../../src/client/index.ts';
import { type World, world } from '../../support/client-token-world.ts';

async function twoCallsWithClientCredentials(w: World): Promise<void> {
  const tokens = oauth2ClientCredentials({
    tokenUrl: `${w.server.origin}/oauth/token`,
    clientId: 'svc',
    clientSecret: 's3cret-value',
  });
  const client = createClient({ baseUrl: w.server.url, auth: bearer(tokens) });
  await client.get('api/1');
  await client.get('api/2');
}

describe('oauth2 token sources', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(() => w.server.close());

  it('counts expires_in from the response Date: a token dated 10 s before it arrived has 10 s less', async () => {
    w.tokenAnswer = { status: 200, expiresIn: 11, date: () => new Date(Date.now() - 10_000).toUTCString() };
    await twoCallsWithClientCredentials(w);
    assert.equal(w.tokenCalls(), 2, '11 s dated 10 s ago leaves 1 s, under the skew of a tenth of 11 s');
  });

  it('does not take a Date hours off for latency: a skewed clock does not make every token look expired', async () => {
    w.tokenAnswer = { status: 200, expiresIn: 35, date: () => new Date(Date.now() - 2 * 3_600_000).toUTCString() };
    await twoCallsWithClientCredentials(w);
    assert.equal(w.tokenCalls(), 1);
  });

  it('client credentials: Basic client authentication with form-encoded id and secret (RFC 6749 §2.3.1), scope and audience', async () => {
    const client = createClient({
      baseUrl: w.server.url,
      auth: bearer(
        oauth2ClientCredentials({
          tokenUrl: `${w.server.origin}/oauth/token`,
          clientId: 'svc:a b',
          clientSecret: 'p@ss/wörd',
          scope: ['read', 'write'],
          audience: 'https://api',
        }),
      ),
    });
    await client.get('api/1');
    const tokenRequest = w.server.received.find((r) => r.url === '/oauth/token')!;
    const [user, pass] = Buffer.from(String(tokenRequest.headers.authorization).replace('Basic ', ''), 'base64')
      .toString('utf8')
      .split(':');
    assert.equal(decodeURIComponent(user!.replace(/\+/g, ' ')), 'svc:a b');
    assert.equal(decodeURIComponent(pass!.replace(/\+/g, ' ')), 'p@ss/wörd');
    assert.equal(tokenRequest.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = w.tokenRequests()[0]!;
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'read write');
    assert.equal(form.get('audience'), 'https://api');
    assert.equal(form.get('client_secret'), null);
  });

  it('refresh token: a rotated refresh token is used next time and persisted in the store', async () => {
    const store = memoryTokenStore();
    w.tokenAnswer = { status: 200, expiresIn: 0 };
    const client = createClient({
      baseUrl: w.server.url,
      auth: bearer(
        oauth2RefreshToken({
          tokenUrl: `${w.server.origin}/oauth/token`,
          clientId: 'app',
          refreshToken: 'rt-initial',
          store,
          key: 'me',
        }),
      ),
    });
    await client.get('api/1');
    await client.get('api/2');
    const forms = w.tokenRequests();
    assert.deepStrictEqual(
      forms.map((f) => f.get('refresh_token')),
      ['rt-initial', 'rt-1'],
    );
    assert.equal(forms[0]!.get('client_id'), 'app');
    assert.equal((await store.get('me'))?.refreshToken, 'rt-2');
  });

  it('a refused token request is an AuthenticationError that names the OAuth error and hides the secret', async () => {
    w.tokenAnswer = { status: 401 };
    const client = createClient({
      baseUrl: w.server.url,
      auth: bearer(
        oauth2ClientCredentials({
          tokenUrl: `${w.server.origin}/oauth/token`,
          clientId: 'svc',
          clientSecret: 'very-secret-client-secret',
        }),
      ),
    });
    const error = await client.get('api/1').catch((e: unknown) => e);
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.status, 401);
    assert.equal(error.oauthError, 'invalid_client');
    assert.match(error.message, /check the client id and secret/);
    assert.ok(!JSON.stringify({ ...error, message: error.message }).includes('very-secret-client-secret'));
    assert.equal(w.tokenCalls(), 1, 'the token request itself is never retried through the refresh logic');
  });
});
