/**
 * The token endpoint (RFC 6749 §3.2): the password, client_credentials and refresh_token grants
 * and their errors; the password grant's sign-in under login protection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { hashPassword } from '../../../src/server/index.ts';
import { API, aliceCode, codeWorld, REPORTS, redeem } from '../../support/code-flow.ts';
import { basicClient, post, SVC_SECRET, sha, type World, world } from '../../support/token-world.ts';

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
    // The limit that refused it, as the IETF RateLimit fields: nothing left until the lockout ends.
    assert.equal(locked.headers.get('ratelimit-policy'), '"login_pair";q=3;w=60');
    assert.equal(locked.headers.get('ratelimit'), `"login_pair";r=0;t=${wait}`);
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

describe('the password grant is legacy (RFC 9700 §2.4), and resource on the other grants (RFC 8707)', () => {
  const svc = { client_id: 'svc', client_secret: SVC_SECRET };
  const password = { grant_type: 'password', ...svc, username: 'alice', password: 'alice-password-1' };

  it('refuses the password grant by default, saying why and how to enable it', async () => {
    const w = await codeWorld();
    const answer = await post(`${w.url}/oauth/token`, password);
    assert.equal(answer.body.error, 'unsupported_grant_type');
    assert.match(answer.body.error_description, /RFC 9700/);
    assert.match(answer.body.error_description, /legacyPasswordGrant/);
    await w.close();
  });

  it('answers it with legacyPasswordGrant: true', async () => {
    const w = await codeWorld({ legacyPasswordGrant: true });
    const answer = await post(`${w.url}/oauth/token`, password);
    assert.equal(answer.status, 200);
    assert.equal(decodeJwt(answer.body.access_token).sub, 'u-alice');
    await w.close();
  });

  it('client_credentials takes a resource the service serves as aud; refresh_token only one its grant was for', async () => {
    const w = await codeWorld();
    try {
      const cc = await post(`${w.url}/oauth/token`, { grant_type: 'client_credentials', ...svc, resource: API });
      assert.equal(decodeJwt(cc.body.access_token).aud, API);
      const unknown = await post(`${w.url}/oauth/token`, {
        grant_type: 'client_credentials',
        ...svc,
        resource: 'https://x.test',
      });
      assert.equal(unknown.body.error, 'invalid_target');
      const { code, verifier } = await aliceCode(w.url, { resource: API });
      const tokens = await redeem(w.url, code, verifier);
      const refresh = { grant_type: 'refresh_token', client_id: 'app', refresh_token: tokens.body.refresh_token };
      const bad = await post(`${w.url}/oauth/token`, { ...refresh, resource: 'https://x.test' });
      assert.equal(bad.body.error, 'invalid_target');
      // RFC 8707 §2.2: a resource the service serves, but not one this grant was for.
      const wider = await post(`${w.url}/oauth/token`, { ...refresh, resource: REPORTS });
      assert.equal(wider.body.error, 'invalid_target');
      const refreshed = await post(`${w.url}/oauth/token`, { ...refresh, resource: API });
      assert.equal(decodeJwt(refreshed.body.access_token).aud, API);
    } finally {
      await w.close();
    }
  });
});
