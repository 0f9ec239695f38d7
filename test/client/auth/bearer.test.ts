import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AuthenticationError,
  bearer,
  createClient,
  ForbiddenError,
  memoryTokenStore,
  oauth2ClientCredentials,
  oauth2RefreshToken,
  type RefreshEvent,
  type TokenStore,
  tokenSource,
  UnauthorizedError,
} from '../../../src/client/index.ts';
import { json, startServer, type TestServer } from '../../support/server.ts';

/**
 * One loopback server plays both parts: `/oauth/token` issues tok-1, tok-2, … and `/api/*`
 * accepts only tokens it issued and has not revoked.
 */
interface World {
  server: TestServer;
  tokenCalls: () => number;
  tokenRequests: () => URLSearchParams[];
  valid: Set<string>;
  tokenAnswer: { status: number; expiresIn?: number; date?: () => string; delayMs?: number };
  apiDelayFor: Set<string>;
  apiAnswer: { status?: number; challenge?: string };
}

async function world(): Promise<World> {
  let issued = 0;
  const tokenBodies: URLSearchParams[] = [];
  const w: World = {
    server: undefined as unknown as TestServer,
    tokenCalls: () => tokenBodies.length,
    tokenRequests: () => tokenBodies,
    valid: new Set(),
    tokenAnswer: { status: 200, expiresIn: 3600 },
    apiDelayFor: new Set(),
    apiAnswer: {},
  };
  w.server = await startServer(async (req, res, body) => {
    if (req.url === '/oauth/token') {
      tokenBodies.push(new URLSearchParams(body.toString()));
      const { status, expiresIn, date, delayMs } = w.tokenAnswer;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (status !== 200) return json(res, status, { error: 'invalid_client', error_description: 'nope' });
      const token = `tok-${++issued}`;
      w.valid.add(token);
      const headers: Record<string, string> = date ? { date: date() } : {};
      const answer: Record<string, unknown> = {
        access_token: token,
        token_type: 'Bearer',
        refresh_token: `rt-${issued}`,
      };
      if (expiresIn !== undefined) answer['expires_in'] = expiresIn;
      return json(res, 200, answer, headers);
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (w.apiDelayFor.has(token)) await new Promise((r) => setTimeout(r, 150));
    if (w.apiAnswer.status) {
      return json(
        res,
        w.apiAnswer.status,
        { error: 'x' },
        w.apiAnswer.challenge ? { 'www-authenticate': w.apiAnswer.challenge } : {},
      );
    }
    if (!w.valid.has(token)) {
      return json(
        res,
        401,
        { detail: 'bad token' },
        {
          'www-authenticate': 'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
        },
      );
    }
    json(res, 200, { ok: true, token });
  });
  return w;
}

function seeded(token: string): TokenStore {
  const store = memoryTokenStore();
  void store.set('default', { accessToken: token });
  return store;
}

describe('bearer() with a token source', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(() => w.server.close());

  const source = (store?: TokenStore) =>
    tokenSource(
      async ({ signal }) => {
        const response = await fetch(`${w.server.origin}/oauth/token`, { method: 'POST', signal });
        if (!response.ok)
          throw new AuthenticationError(`token endpoint said ${response.status}`, { status: response.status });
        return response.json();
      },
      store ? { store } : {},
    );

  it('makes exactly one refresh for 20 concurrent requests that get 401 with the same stale token', async () => {
    const refreshes: RefreshEvent[] = [];
    const client = createClient({
      baseUrl: w.server.url,
      auth: bearer(source(seeded('stale-token'))),
      onRefresh: (e) => refreshes.push(e),
    });
    const bodies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.get(`api/item/${i}`).then((r) => r.json())),
    );
    assert.equal(w.tokenCalls(), 1);
    assert.ok(bodies.every((b) => b.ok === true && b.token === 'tok-1'));
    assert.equal(refreshes.length, 20);
    assert.ok(refreshes.every((e) => e.recovered));
  });

  it('retries a late 401 for an older token with the current one, without refreshing again', async () => {
    w.apiDelayFor.add('stale-token');
    const store = seeded('stale-token');
    const client = createClient({ baseUrl: w.server.url, auth: bearer(source(store)) });
    // Both start with stale-token; the server answers the second late, after the first has refreshed.
    const slow = client.get('api/slow');
    await new Promise((r) => setTimeout(r, 20));
    w.apiDelayFor.clear();
    const fast = await client.get('api/fast');
    assert.equal((await fast.json()).token, 'tok-1');
    assert.equal(w.tokenCalls(), 1);
    w.apiDelayFor.add('never-delayed');
    assert.equal((await (await slow).json()).token, 'tok-1');
    assert.equal(w.tokenCalls(), 1, 'the late 401 did not cause a second refresh');
  });

  it('refreshes at most once per request: a second 401 is final', async () => {
    w.apiAnswer = { status: 401, challenge: 'Bearer error="invalid_token"' };
    const client = createClient({ baseUrl: w.server.url, auth: bearer(source(seeded('stale-token'))) });
    const before = w.server.received.length;
    const error = await client.get('api/x').catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.equal(error.reason, 'invalid_token');
    assert.equal(w.tokenCalls(), 1);
    assert.equal(w.server.received.length - before, 3, 'stale try, token call, one retry: no loop');
  });

  it('rejects every waiting request with AuthenticationError when the refresh fails, and nothing hangs', async () => {
    w.tokenAnswer = { status: 500 };
    const client = createClient({
      baseUrl: w.server.url,
      auth: bearer(source(seeded('stale-token'))),
      timeout: { total: 10_000 },
    });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.get('api/x')));
    assert.equal(w.tokenCalls(), 1);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok((result as PromiseRejectedResult).reason instanceof AuthenticationError);
    }
    // The failure is not cached: the next call tries again.
    w.tokenAnswer = { status: 200, expiresIn: 3600 };
    assert.equal((await client.get('api/x')).status, 200);
    assert.equal(w.tokenCalls(), 2);
  });

  it('never refreshes for a 401 that says insufficient_scope', async () => {
    w.apiAnswer = { status: 401, challenge: 'Bearer error="insufficient_scope", scope="admin"' };
    const client = createClient({ baseUrl: w.server.url, auth: bearer(source(seeded('stale-token'))) });
    const error = await client.get('api/admin').catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.equal(error.reason, 'insufficient_scope');
    assert.equal(w.tokenCalls(), 0);
  });

  it('never refreshes for a 403', async () => {
    w.apiAnswer = { status: 403, challenge: 'Bearer error="insufficient_scope", scope="admin"' };
    const client = createClient({ baseUrl: w.server.url, auth: bearer(source(seeded('stale-token'))) });
    const error = await client.get('api/admin').catch((e: unknown) => e);
    assert.ok(error instanceof ForbiddenError);
    assert.equal(w.tokenCalls(), 0);
  });

  it('refreshes ahead of expiry: a token with less than the 30 s skew left is replaced before it is sent', async () => {
    w.tokenAnswer = { status: 200, expiresIn: 20 };
    const client = createClient({ baseUrl: w.server.url, auth: bearer(source()) });
    await client.get('api/1');
    await client.get('api/2');
    assert.equal(w.tokenCalls(), 2);
    assert.equal(w.server.received.filter((r) => r.url.startsWith('/api')).length, 2, 'no request was refused first');
  });

  it('keeps a token with a long life', async () => {
    w.tokenAnswer = { status: 200, expiresIn: 3600 };
    const client = createClient({ baseUrl: w.server.url, auth: bearer(source()) });
    await client.get('api/1');
    await client.get('api/2');
    assert.equal(w.tokenCalls(), 1);
  });
});

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
    w.tokenAnswer = { status: 200, expiresIn: 35, date: () => new Date(Date.now() - 10_000).toUTCString() };
    await twoCallsWithClientCredentials(w);
    assert.equal(w.tokenCalls(), 2, '35 s dated 10 s ago leaves 25 s, under the 30 s skew');
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
    w.tokenAnswer = { status: 200, expiresIn: 1 };
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
