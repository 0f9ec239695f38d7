/**
 * The introspection scheme against a real issuer: a Gatehouse authorization server on a loopback
 * port, its requests counted to show what is cached, for how long, and what is asked again; and
 * issuers that are down, fail or answer garbage, which are 503 keys_unavailable, never 401.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { protect } from '../../../src/adapters/node/index.ts';
import {
  createGuard,
  type IntrospectionSchemeOptions,
  introspectionScheme,
  type ServerFailure,
} from '../../../src/server/index.ts';
import { API_RESOURCE, API_SECRET, type Issuer, introspectionIssuer } from '../../support/introspection-issuer.ts';
import { freePort, json, listen, serverPerTest } from '../../support/server.ts';

const alice = { id: 'u-alice', roles: ['member'] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An API behind the scheme on a loopback port: GET / answers the principal. */
async function api(options: Partial<IntrospectionSchemeOptions> & { endpoint: string }) {
  const scheme = introspectionScheme({ clientId: 'api', clientSecret: API_SECRET, audience: API_RESOURCE, ...options });
  const failures: ServerFailure[] = [];
  const guard = createGuard({ schemes: [scheme], onError: (failure) => failures.push(failure) });
  const handler = protect(guard, (req, res) =>
    res.end(JSON.stringify({ id: req.auth.id, scopes: req.auth.scopes, roles: req.auth.roles })),
  );
  const listening = await listen(createServer((req, res) => void handler(req, res)));
  const call = async (token: string) => {
    const response = await fetch(listening.url, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  return { scheme, failures, call, close: () => listening.close() };
}

describe('introspectionScheme against a Gatehouse issuer', () => {
  let issuer: Issuer;
  before(async () => {
    issuer = await introspectionIssuer();
  });
  after(() => issuer.close());
  const endpoint = () => `${issuer.url}/oauth/introspect`;
  const token = async (clientId = 'web') =>
    (await issuer.service.issue(alice, { clientId, scope: 'read role:member', refresh: false })).access_token;

  it('lets an active token in with its subject, scopes and roles, and asks once while the answer is cached', async () => {
    const a = await api({ endpoint: endpoint() });
    try {
      const t = await token();
      const before = issuer.introspections;
      for (let i = 0; i < 3; i++) {
        const answer = await a.call(t);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, { id: 'u-alice', scopes: ['read', 'role:member'], roles: ['member'] });
      }
      assert.equal(issuer.introspections - before, 1);
    } finally {
      await a.close();
    }
  });

  it('a burst of requests with one token asks the issuer once between them', async () => {
    const a = await api({ endpoint: endpoint() });
    try {
      const t = await token();
      const before = issuer.introspections;
      const answers = await Promise.all(Array.from({ length: 20 }, () => a.call(t)));
      assert.deepEqual(
        answers.map((answer) => answer.status),
        answers.map(() => 200),
      );
      assert.equal(issuer.introspections - before, 1);
    } finally {
      await a.close();
    }
  });

  it('forget() while the issuer is being asked: that answer is not remembered, the next request asks again', async () => {
    let forgetNow = () => {};
    // The real fetch, with forget() called once the question to the issuer has left.
    const askThenForget: typeof fetch = async (input, init) => {
      const answer = fetch(input, init);
      forgetNow();
      forgetNow = () => {};
      return answer;
    };
    const a = await api({ endpoint: endpoint(), fetch: askThenForget });
    try {
      const t = await token();
      forgetNow = () => a.scheme.forget(t);
      assert.equal((await a.call(t)).status, 200);
      const before = issuer.introspections;
      assert.equal((await a.call(t)).status, 200);
      assert.equal(issuer.introspections - before, 1, 'asked again: the answer given before forget() was not kept');
    } finally {
      await a.close();
    }
  });

  it('asks again once cacheMaxSeconds has passed', async () => {
    const a = await api({ endpoint: endpoint(), cacheMaxSeconds: 0.3 });
    try {
      const t = await token();
      const before = issuer.introspections;
      await a.call(t);
      await a.call(t);
      assert.equal(issuer.introspections - before, 1);
      await sleep(400);
      assert.equal((await a.call(t)).status, 200);
      assert.equal(issuer.introspections - before, 2);
    } finally {
      await a.close();
    }
  });

  it("never remembers an answer past the token's exp: after it, the issuer is asked and says no", async () => {
    const a = await api({ endpoint: endpoint(), cacheMaxSeconds: 60, clockTolerance: 0 });
    try {
      const t = await issuer.service.signAccessToken(alice, {
        clientId: 'web',
        scope: 'read',
        expiresAt: Date.now() + 1_200,
      });
      const before = issuer.introspections;
      assert.equal((await a.call(t)).status, 200);
      assert.equal((await a.call(t)).status, 200);
      assert.equal(issuer.introspections - before, 1);
      await sleep(1_300);
      const refused = await a.call(t);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.code, 'credentials_invalid');
      assert.equal(issuer.introspections - before, 2);
    } finally {
      await a.close();
    }
  });

  it('a revocation: honoured at most cacheMaxSeconds late, at once after forget(), and a "no" is never cached', async () => {
    const a = await api({ endpoint: endpoint(), cacheMaxSeconds: 60 });
    try {
      const t = await token();
      assert.equal((await a.call(t)).status, 200);
      await issuer.service.revoke(t, { clientId: 'web' });
      const before = issuer.introspections;
      // The cached answer stands until it expires (the documented bound) …
      assert.equal((await a.call(t)).status, 200);
      assert.equal(issuer.introspections - before, 0);
      // … or until this API forgets it: then the issuer's "active: false" is the answer, every time.
      a.scheme.forget(t);
      for (let i = 1; i <= 2; i++) {
        const refused = await a.call(t);
        assert.equal(refused.status, 401);
        assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
        assert.equal(issuer.introspections - before, i);
      }
    } finally {
      await a.close();
    }
  });

  it('refuses a token for another audience (token_audience_mismatch), and one the issuer will not show this API', async () => {
    const other = await api({ endpoint: endpoint(), audience: 'https://other-api.test' });
    const a = await api({ endpoint: endpoint() });
    try {
      const t = await token();
      const mismatch = await other.call(t);
      assert.equal(mismatch.status, 401);
      assert.equal(mismatch.body.code, 'token_audience_mismatch');
      // A refresh token is never shown to a resource server: it is no bearer token.
      const { refresh_token } = await issuer.service.issue(alice, { clientId: 'web', scope: 'read' });
      assert.equal((await a.call(refresh_token!)).status, 401);
    } finally {
      await other.close();
      await a.close();
    }
  });

  it('a wrong client secret at the issuer is the server’s failure (503), not the caller’s 401', async () => {
    const a = await api({ endpoint: endpoint(), clientSecret: 'wrong-secret' });
    try {
      const refused = await a.call(await token());
      assert.equal(refused.status, 503);
      assert.equal(refused.body.code, 'keys_unavailable');
      assert.match(a.failures[0]?.source ?? '', /introspection endpoint http:\/\/127\.0\.0\.1:\d+\/oauth\/introspect/);
    } finally {
      await a.close();
    }
  });
});

describe('an issuer that cannot answer', () => {
  const serve = serverPerTest();
  const cases: [string, () => Promise<string>][] = [
    ['is down', async () => `http://127.0.0.1:${await freePort()}/introspect`],
    ['answers 500', async () => (await serve((_q, res) => json(res, 500, { error: 'oops' }))).url],
    ['answers HTML', async () => (await serve((_q, res) => res.writeHead(200).end('<html>ok</html>'))).url],
    ['answers JSON without active', async () => (await serve((_q, res) => json(res, 200, { sub: 'x' }))).url],
    [
      'answers a body past the limit',
      async () => (await serve((_q, res) => json(res, 200, { active: true, pad: 'x'.repeat(100_000) }))).url,
    ],
    [
      'redirects',
      async () => (await serve((_q, res) => res.writeHead(302, { location: 'https://elsewhere.test/' }).end())).url,
    ],
    [
      'does not answer in time',
      async () => (await serve((_q, res) => void setTimeout(() => json(res, 200, { active: true }), 2_000))).url,
    ],
  ];
  for (const [what, endpoint] of cases)
    it(`${what}: 503 keys_unavailable with Retry-After, never 401, nothing cached`, async () => {
      const a = await api({ endpoint: await endpoint(), timeoutMs: 300 });
      try {
        const refused = await a.call('opaque-token-0123456789');
        assert.equal(refused.status, 503);
        assert.equal(refused.body.code, 'keys_unavailable');
        assert.ok(refused.headers.get('retry-after'));
        assert.equal(a.failures.length, 1);
        assert.equal(JSON.stringify(a.failures[0]).includes('opaque-token-0123456789'), false);
      } finally {
        await a.close();
      }
    });

  it('sends the token in a form with the client authenticated by Basic (RFC 7662 §2.1)', async () => {
    const issuer = await serve((_q, res) => json(res, 200, { active: true, sub: 's-1', scope: 'a b' }));
    const a = await api({ endpoint: issuer.url, audience: false });
    try {
      assert.equal((await a.call('opaque-token-0123456789')).status, 200);
      const [received] = issuer.received;
      assert.equal(received?.method, 'POST');
      assert.equal(received?.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(received?.headers.authorization, `Basic ${btoa(`api:${API_SECRET}`)}`);
      assert.equal(received?.body.toString(), 'token=opaque-token-0123456789&token_type_hint=access_token');
    } finally {
      await a.close();
    }
  });
});
