import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import {
  AuthenticationError,
  bearer,
  createClient,
  dpop,
  ForbiddenError,
  memoryTokenStore,
  type RefreshEvent,
  type TokenStore,
  tokenSource,
  UnauthorizedError,
} from '../../../src/client/index.ts';
import { type World, world } from '../../support/client-token-world.ts';
import { startServer } from '../../support/server.ts';

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

  it('keeps a short-lived token for its life: the refresh skew is a tenth of a 20 s token, not 30 s', async () => {
    w.tokenAnswer = { status: 200, expiresIn: 20 };
    const client = createClient({ baseUrl: w.server.url, auth: bearer(source()) });
    await client.get('api/1');
    await client.get('api/2');
    assert.equal(w.tokenCalls(), 1, 'before: one token request per call for a token living less than the skew');
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

describe('bearer(source, { dpop })', () => {
  it('keeps the DPoP-Nonce of the answer to the request sent again with a refreshed token (RFC 9449 §9)', async () => {
    // The API refuses the first token as expired; it serves the second, with a nonce to use from now on.
    const server = await startServer((req, res) => {
      if (req.headers.authorization === 'DPoP old-token') {
        res.writeHead(401, { 'www-authenticate': 'DPoP algs="ES256", error="invalid_token"' });
        return res.end();
      }
      res.writeHead(200, { 'dpop-nonce': 'nonce-from-a-200' });
      return res.end('{}');
    });
    try {
      const tokens = ['old-token', 'new-token'];
      const client = createClient({
        baseUrl: server.url,
        auth: bearer(
          tokenSource(async () => ({ accessToken: tokens.shift() ?? 'new-token' })),
          { dpop: dpop() },
        ),
      });
      assert.equal((await client.get('api/1')).status, 200);
      assert.equal((await client.get('api/2')).status, 200);
      const nonces = server.received.map((r) => decodeJwt(String(r.headers['dpop']))['nonce']);
      assert.deepEqual(nonces, [undefined, undefined, 'nonce-from-a-200']);
    } finally {
      await server.close();
    }
  });
});

describe('bearer(source) without dpop, given a DPoP-bound token', () => {
  // Found by the newcomer: a token source given `dpop: key` and bearer(source) without it sent the
  // bound token as Bearer, got 401 scheme_unsupported ("use one of the schemes listed"), refreshed
  // for nothing and failed again; every call cost two token requests and named no fix.
  it('throws a coded TypeError naming bearer(source, { dpop }) before anything is sent, and refreshes nothing', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'DPoP algs="ES256"' });
      res.end();
    });
    try {
      let tokenCalls = 0;
      const source = tokenSource(async () => {
        tokenCalls++;
        return { accessToken: `bound-token-${tokenCalls}`, tokenType: 'DPoP' };
      });
      const client = createClient({ baseUrl: server.url, auth: bearer(source) });
      await assert.rejects(client.get('api/1'), (error: Error & { code?: string }) => {
        assert.ok(error instanceof TypeError, String(error));
        assert.equal(error.code, 'ERR_GATEHOUSE_INVALID_ARGUMENT');
        assert.match(error.message, /bearer\(source, \{ dpop/);
        assert.ok(!error.message.includes('bound-token'), 'no token in the message');
        return true;
      });
      assert.equal(server.received.length, 0);
      assert.equal(tokenCalls, 1);
    } finally {
      await server.close();
    }
  });
});
