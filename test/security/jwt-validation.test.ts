/**
 * JWT validation attacks: a public key turned into an HMAC secret (RS/HS confusion), tokens that
 * never expire or are issued in the future, tokens minted for another API, a revocation that
 * silently misses a token not yet valid, and a down-scoped grant that still carries every role of
 * the user. Each case is an attack that must fail, over a real socket (node:http `protect()` for the
 * API, `mountFetch` for the OAuth endpoints) or, for a configuration that would make it possible,
 * at construction with a coded TypeError.
 */
import assert from 'node:assert/strict';
import { createHash, createSecretKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { startPlayground } from '../../src/playground/serve.ts';
import {
  bearerScheme,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type Guard,
  hashPassword,
  memoryClients,
  memoryStore,
  memoryUsers,
  openStore,
  type Permission,
  requireAuthLevel,
  requireRoles,
  roleScope,
} from '../../src/server/index.ts';
import { postForm } from '../support/server.ts';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const CODE = 'ERR_GATEHOUSE_INVALID_ARGUMENT';
const now = () => Math.floor(Date.now() / 1000);

/** An API guarded by `guard` (and `permission`) on a loopback port; the handler names the principal. */
async function api(guard: Guard, permission?: Permission) {
  const server: Server = createServer(
    protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id, roles: req.auth?.roles })), {
      ...(permission ? { permission } : {}),
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return {
    async ask(token: string) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as { id?: string; code?: string; detail?: string };
      return { status: response.status, ...body };
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

describe('RS/HS confusion: a public key never becomes an HMAC secret', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const hmacOf = (text: string) => new TextEncoder().encode(text);
  const forged = (secret: string) =>
    new SignJWT({ scope: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('attacker')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(hmacOf(secret));

  it('refuses a public-key PEM given as a string, whatever the algorithms', () => {
    for (const algorithms of [['RS256', 'HS256'], ['HS256'], ['RS256']]) {
      assert.throws(
        () => bearerScheme({ jwt: { key: publicPem, algorithms, issuer: ISSUER, audience: AUDIENCE } }),
        (error: TypeError & { code?: string }) =>
          error instanceof TypeError && error.code === CODE && /KeyObject|CryptoKey/.test(error.message),
        algorithms.join(),
      );
    }
  });

  it('refuses the PEM or a JWK as bytes or JSON text too', async () => {
    const jwkText = JSON.stringify(await exportJWK(rsa.publicKey));
    for (const key of [Buffer.from(publicPem), `\n  ${publicPem}`, jwkText, hmacOf(jwkText)]) {
      assert.throws(() => bearerScheme({ jwt: { key, algorithms: ['HS256'], issuer: ISSUER } }), { code: CODE });
    }
  });

  it('refuses an algorithm list that mixes HMAC with signatures, whatever the key', () => {
    for (const [key, algorithms] of [
      [rsa.publicKey, ['RS256', 'HS256']],
      [rsa.publicKey, ['HS512', 'PS256']],
      ['a-real-hmac-secret-of-at-least-32-bytes!!', ['HS256', 'ES256']],
      ['a-real-hmac-secret-of-at-least-32-bytes!!', ['EdDSA', 'HS384']],
    ] as Array<[KeyObject | string, string[]]>) {
      assert.throws(
        () => bearerScheme({ jwt: { key, algorithms, issuer: ISSUER, audience: AUDIENCE } }),
        (error: TypeError & { code?: string }) => error.code === CODE && /mix/.test(error.message),
        algorithms.join(),
      );
    }
  });

  it('refuses a key whose type does not fit the algorithms (public key for HS*, secret for RS*, private key)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const secret = createSecretKey(Buffer.alloc(32, 7));
    for (const [key, algorithms] of [
      [rsa.publicKey, ['HS256']],
      [publicKey, ['HS256']],
      [secret, ['RS256']],
      [rsa.privateKey, ['RS256']],
      [privateKey, ['ES256']],
      ['a-real-hmac-secret-of-at-least-32-bytes!!', ['RS256']],
    ] as Array<[KeyObject | CryptoKey | string, string[]]>) {
      assert.throws(
        () => bearerScheme({ jwt: { key, algorithms, issuer: ISSUER, audience: AUDIENCE } }),
        { code: CODE },
        algorithms.join(),
      );
    }
  });

  it('refuses HMAC algorithms with a JWKS (a JWKS publishes its keys)', () => {
    assert.throws(
      () => bearerScheme({ jwt: { jwks: 'https://issuer.example/jwks.json', algorithms: ['HS256'], issuer: ISSUER } }),
      { code: CODE },
    );
  });

  describe('over a socket', () => {
    let rs: Awaited<ReturnType<typeof api>>;
    let hs: Awaited<ReturnType<typeof api>>;
    const hmacSecret = 'a-real-hmac-secret-of-at-least-32-bytes!!';
    before(async () => {
      rs = await api(
        createGuard({
          schemes: [
            bearerScheme({ jwt: { key: rsa.publicKey, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE } }),
          ],
        }),
      );
      hs = await api(
        createGuard({ schemes: [bearerScheme({ jwt: { key: hmacSecret, algorithms: ['HS256'], issuer: ISSUER } })] }),
      );
    });
    after(async () => {
      await rs.close();
      await hs.close();
    });

    it('an HS256 token signed with the public PEM as the secret gets 401 on an RS256 API', async () => {
      const answer = await rs.ask(await forged(publicPem));
      assert.deepStrictEqual([answer.status, answer.code], [401, 'credentials_invalid']);
      const genuine = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject('u-real')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(rsa.privateKey);
      assert.deepStrictEqual([(await rs.ask(genuine)).status, (await rs.ask(genuine)).id], [200, 'u-real']);
    });

    it('an RS256 token (even a genuine one) gets 401 on an HS256 API', async () => {
      const signed = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject('u-real')
        .setIssuer(ISSUER)
        .setExpirationTime('5m')
        .sign(rsa.privateKey);
      assert.deepStrictEqual(
        [(await hs.ask(signed)).status, (await hs.ask(signed)).code],
        [401, 'credentials_invalid'],
      );
      assert.equal((await hs.ask(await forged(hmacSecret))).status, 200);
    });
  });
});

describe('time and audience claims', () => {
  const secret = 'a-real-hmac-secret-of-at-least-32-bytes!!';
  const sign = (build: (jwt: SignJWT) => SignJWT) =>
    build(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u-bob').setIssuer(ISSUER)).sign(
      new TextEncoder().encode(secret),
    );
  let strict: Awaited<ReturnType<typeof api>>;
  let lenient: Awaited<ReturnType<typeof api>>;
  before(async () => {
    strict = await api(
      createGuard({ schemes: [bearerScheme({ jwt: { key: secret, algorithms: ['HS256'], issuer: ISSUER } })] }),
    );
    lenient = await api(
      createGuard({
        schemes: [bearerScheme({ jwt: { key: secret, algorithms: ['HS256'], issuer: ISSUER, requireExp: false } })],
      }),
    );
  });
  after(async () => {
    await strict.close();
    await lenient.close();
  });

  it('a correctly signed token without exp gets 401 (it would never expire): RFC 9068 §4', async () => {
    const answer = await strict.ask(await sign((j) => j));
    assert.deepStrictEqual([answer.status, answer.code], [401, 'credentials_invalid']);
    assert.match(answer.detail ?? '', /exp/);
    // The opt-out is explicit and named: the same token passes only where requireExp: false was set.
    assert.equal((await lenient.ask(await sign((j) => j))).status, 200);
  });

  it('a token issued 10 years from now gets 401 token_not_yet_valid, with or without exp', async () => {
    const future = now() + 10 * 365 * 86400;
    for (const [where, token] of [
      ['strict', await sign((j) => j.setIssuedAt(future).setExpirationTime(future + 600))],
      ['lenient', await sign((j) => j.setIssuedAt(future))],
    ] as const) {
      const answer = await (where === 'strict' ? strict : lenient).ask(token);
      assert.deepStrictEqual([answer.status, answer.code], [401, 'token_not_yet_valid'], where);
    }
    // A clock a little ahead (within the 5 s tolerance) is forgiven.
    assert.equal((await strict.ask(await sign((j) => j.setIssuedAt(now() + 3).setExpirationTime('5m')))).status, 200);
  });

  it('a token whose auth_time is in the future does not pass requireAuthLevel({ maxAge }) for ever: 401', async () => {
    const stepUp = await api(
      createGuard({ schemes: [bearerScheme({ jwt: { key: secret, algorithms: ['HS256'], issuer: ISSUER } })] }),
      requireAuthLevel({ maxAge: 300 }),
    );
    const signedInAt = (authTime: number) =>
      new SignJWT({ auth_time: authTime })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u-bob')
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
    try {
      // A skewed or buggy issuer: a sign-in "10 years from now", or a minute ahead, is no recent sign-in.
      for (const ahead of [10 * 365 * 86400, 60, 6]) {
        const answer = await stepUp.ask(await signedInAt(now() + ahead));
        assert.deepStrictEqual([answer.status, answer.code], [401, 'insufficient_user_authentication'], `+${ahead} s`);
        assert.match(answer.detail ?? '', /auth_time/);
      }
      // Within the 5 s the guard forgives for iat and exp, as a recent sign-in does.
      assert.equal((await stepUp.ask(await signedInAt(now() + 3))).status, 200);
      assert.equal((await stepUp.ask(await signedInAt(now() - 10))).status, 200);
    } finally {
      await stepUp.close();
    }
  });

  it('a token whose exp is not a number (a string, null, an array) gets 401, not a token that never expires', async () => {
    for (const exp of ['99999999999', null, [9e9]]) {
      const payload = { sub: 'u-bob', iss: ISSUER, exp };
      const resigned = await new SignJWT(payload as Record<string, unknown>)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(secret));
      for (const guarded of [strict, lenient]) {
        const answer = await guarded.ask(resigned);
        assert.deepStrictEqual([answer.status, answer.code], [401, 'credentials_invalid'], JSON.stringify(exp));
      }
    }
  });

  it('a scheme with a public key or a JWKS and no audience is refused at construction (audience: false opts out)', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    for (const jwt of [
      { key: publicKey, algorithms: ['ES256'], issuer: ISSUER },
      { jwks: 'https://issuer.example/jwks.json', algorithms: ['ES256'], issuer: ISSUER },
      { jwks: { keys: [] }, algorithms: ['RS256'], issuer: ISSUER },
      { key: async () => publicKey, algorithms: ['ES256'], issuer: ISSUER },
    ]) {
      assert.throws(
        () => bearerScheme({ jwt }),
        (error: TypeError & { code?: string }) => error.code === CODE && /audience/.test(error.message),
      );
      assert.doesNotThrow(() => bearerScheme({ jwt: { ...jwt, audience: false } }));
    }
  });

  it('a token of the same issuer minted for another API, or for none, gets 401 token_audience_mismatch', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const guarded = await api(
      createGuard({
        schemes: [bearerScheme({ jwt: { key: publicKey, algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE } })],
      }),
    );
    try {
      const token = (audience?: string) => {
        const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('u-bob').setIssuer(ISSUER);
        return (audience ? jwt.setAudience(audience) : jwt).setExpirationTime('5m').sign(privateKey);
      };
      for (const audience of ['https://billing.example', undefined]) {
        const answer = await guarded.ask(await token(audience));
        assert.deepStrictEqual([answer.status, answer.code], [401, 'token_audience_mismatch'], String(audience));
      }
      assert.equal((await guarded.ask(await token(AUDIENCE))).status, 200);
    } finally {
      await guarded.close();
    }
  });

  it("the token service's guard refuses a token its issuer minted for another audience", async () => {
    const store = memoryStore();
    const billing = createTokenService({ store, issuer: ISSUER, audience: 'https://billing.example' });
    const reports = createTokenService({ store, issuer: ISSUER, audience: 'https://reports.example' });
    const guarded = await api(createGuard({ schemes: [reports.bearerScheme()] }));
    try {
      const subject = { id: 'u-bob' };
      const options = { clientId: 'app', scope: 'read', expiresAt: Date.now() + 60_000 };
      const answer = await guarded.ask(await billing.signAccessToken(subject, options));
      assert.deepStrictEqual([answer.status, answer.code], [401, 'token_audience_mismatch']);
      assert.equal((await guarded.ask(await reports.signAccessToken(subject, options))).status, 200);
    } finally {
      await guarded.close();
    }
  });
});

/** The token service's endpoints and an API with one route per permission, on one loopback port. */
const ROBOT_SECRET = 'robot-secret-0123456789';

async function oauthWorld() {
  const store = memoryStore();
  const service = createTokenService({ store, issuer: ISSUER, reuseGraceMs: 0 });
  const users = memoryUsers([
    {
      username: 'root',
      id: 'u-root',
      passwordHash: await hashPassword('root-password-1'),
      scopes: ['read', 'admin'],
      roles: ['admin'],
    },
    { username: 'bob', id: 'u-bob', passwordHash: await hashPassword('bob-password-1'), scopes: ['read'], roles: [] },
    // Holds the scope text `role:admin` but not the role: the scope alone grants nothing.
    {
      username: 'eve',
      id: 'u-eve',
      passwordHash: await hashPassword('eve-password-1'),
      scopes: ['read', roleScope('admin')],
      roles: [],
    },
  ]);
  const clients = memoryClients([
    { clientId: 'console', grants: ['password', 'refresh_token'], scopes: ['read', 'admin', roleScope('admin')] },
    { clientId: 'report-viewer', grants: ['password', 'refresh_token'], scopes: ['read', 'admin'] },
    {
      clientId: 'robot',
      secretHash: createHash('sha256').update(ROBOT_SECRET).digest('hex'),
      grants: ['client_credentials'],
      scopes: ['read', roleScope('admin')],
    },
  ]);
  const oauth = mountFetch(createAuthorizationServer({ service, legacyPasswordGrant: true, users, clients }).handle);
  const guard = createGuard({ schemes: [service.bearerScheme()] });
  const staff = protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id, roles: req.auth?.roles })), {
    permission: requireRoles('admin'),
  });
  const http = createServer((req, res) => void (req.url === '/api/staff' ? staff(req, res) : oauth(req, res)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    service,
    url,
    token: (fields: Record<string, string>) => postForm(`${url}/oauth/token`, fields),
    staff: async (token: string) => {
      const response = await fetch(`${url}/api/staff`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: (await response.json()) as { code?: string; roles?: string[] } };
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}

describe('revocation of an access token that is not valid yet (RFC 7009)', () => {
  let w: Awaited<ReturnType<typeof oauthWorld>>;
  before(async () => {
    w = await oauthWorld();
  });
  after(() => w.close());

  it('revoked before its nbf, it is refused as revoked once it becomes valid', async () => {
    const subject = { id: 'u-root' };
    // Beyond the guard's 5 s clock tolerance, so that it is refused as not yet valid at first.
    const notBefore = Date.now() + 6500;
    const token = await w.service.signAccessToken(subject, {
      clientId: 'console',
      scope: 'read',
      expiresAt: Date.now() + 60_000,
      notBefore,
    });
    const early = await fetch(`${w.url}/api/staff`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await early.json()).code, 'token_not_yet_valid');
    const revoked = await postForm(`${w.url}/oauth/revoke`, {
      client_id: 'console',
      token,
      token_type_hint: 'access_token',
    });
    assert.equal(revoked.status, 200);
    // Once the guard takes it as valid (nbf within its tolerance), revocation is what must answer.
    await new Promise((r) => setTimeout(r, Math.max(0, notBefore - 5000 - Date.now()) + 1100));
    const later = await fetch(`${w.url}/api/staff`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepStrictEqual([later.status, (await later.json()).code], [401, 'token_revoked']);
  });

  it('a revocation the store cannot check fails loudly instead of answering "done" with nothing done', async () => {
    // Two instances on one SQLite file; B signs with a key A has not loaded yet, then A loses its store.
    const file = join(mkdtempSync(join(tmpdir(), 'gh-jwt-')), 'gatehouse.db');
    const [storeA, storeB] = [await openStore(`sqlite:${file}`), await openStore(`sqlite:${file}`)];
    try {
      const a = createTokenService({ store: storeA, issuer: ISSUER });
      const b = createTokenService({ store: storeB, issuer: ISSUER });
      const times = { clientId: 'console', scope: 'read', expiresAt: Date.now() + 60_000 };
      await a.signAccessToken({ id: 'u-root' }, times);
      await b.rotateSigningKey();
      const token = await b.signAccessToken({ id: 'u-root' }, times);
      await new Promise((r) => setTimeout(r, 1100)); // A asks its store again for an unknown kid at most once a second
      await storeA.close();
      await assert.rejects(a.revoke(token, { clientId: 'console', hint: 'access_token' }));
    } finally {
      await storeB.close();
    }
  });

  it('a token not yet valid issued to one client cannot be revoked by another', async () => {
    const token = await w.service.signAccessToken(
      { id: 'u-root' },
      { clientId: 'console', scope: 'read', expiresAt: Date.now() + 60_000, notBefore: Date.now() - 1000 },
    );
    await postForm(`${w.url}/oauth/revoke`, { client_id: 'report-viewer', token });
    const answer = await fetch(`${w.url}/api/staff`, { headers: { authorization: `Bearer ${token}` } });
    assert.notEqual((await answer.json()).code, 'token_revoked');
  });
});

describe('roles follow the grant: a down-scoped token carries no role it was not granted', () => {
  let w: Awaited<ReturnType<typeof oauthWorld>>;
  before(async () => {
    w = await oauthWorld();
  });
  after(() => w.close());
  const signIn = (clientId: string, scope?: string, username = 'root') =>
    w.token({
      grant_type: 'password',
      client_id: clientId,
      username,
      password: `${username}-password-1`,
      ...(scope !== undefined ? { scope } : {}),
    });

  it('a token asked for with scope=read gets 403 forbidden on requireRoles(admin), and carries no roles', async () => {
    const read = await signIn('console', 'read');
    assert.equal(read.body.scope, 'read');
    assert.equal(decodeJwt(read.body.access_token)['roles'], undefined);
    const answer = await w.staff(read.body.access_token);
    assert.deepStrictEqual([answer.status, answer.body.code], [403, 'forbidden']);
  });

  it('a token granted the role’s scope (role:admin) passes; a sign-in with no scope asked is granted it', async () => {
    const granted = await signIn('console', `read ${roleScope('admin')}`);
    assert.equal(granted.body.scope, 'read role:admin');
    assert.deepStrictEqual((await w.staff(granted.body.access_token)).body.roles, ['admin']);
    const everything = await signIn('console');
    assert.equal(everything.body.scope, 'read admin role:admin');
    assert.equal((await w.staff(everything.body.access_token)).status, 200);
  });

  it('a refresh narrowed to read (or to nothing) loses the role', async () => {
    const granted = await signIn('console', `read ${roleScope('admin')}`);
    let refreshToken = granted.body.refresh_token;
    for (const scope of ['read', '']) {
      const narrowed = await w.token({
        grant_type: 'refresh_token',
        client_id: 'console',
        refresh_token: refreshToken,
        scope,
      });
      assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
      assert.equal(narrowed.body.scope, scope);
      const answer = await w.staff(narrowed.body.access_token);
      assert.deepStrictEqual([answer.status, answer.body.code], [403, 'forbidden'], `scope=${JSON.stringify(scope)}`);
      refreshToken = narrowed.body.refresh_token;
    }
    // The family keeps its grant (RFC 6749 §6): a refresh that asks for the role again gets it back.
    const restored = await w.token({ grant_type: 'refresh_token', client_id: 'console', refresh_token: refreshToken });
    assert.equal((await w.staff(restored.body.access_token)).status, 200);
  });

  it('a client not registered for the role’s scope cannot carry the role, even asked for nothing in particular', async () => {
    const viewer = await signIn('report-viewer');
    assert.equal(viewer.body.scope, 'read admin');
    assert.deepStrictEqual([(await w.staff(viewer.body.access_token)).status], [403]);
    const asked = await signIn('report-viewer', `read ${roleScope('admin')}`);
    assert.deepStrictEqual([asked.status, asked.body.error], [400, 'invalid_scope']);
  });

  it('the scope text role:admin without the role grants nothing', async () => {
    const eve = await signIn('console', `read ${roleScope('admin')}`, 'eve');
    assert.equal(eve.status, 200, JSON.stringify(eve.body));
    const answer = await w.staff(eve.body.access_token);
    assert.deepStrictEqual([answer.status, answer.body.code], [403, 'forbidden']);
  });

  it('a user without the role cannot ask for its scope; a refresh cannot add it; a client’s own token has no roles', async () => {
    const bob = await signIn('console', `read ${roleScope('admin')}`, 'bob');
    assert.deepStrictEqual([bob.status, bob.body.error], [400, 'invalid_scope']);
    const read = await signIn('console', 'read');
    const widened = await w.token({
      grant_type: 'refresh_token',
      client_id: 'console',
      refresh_token: read.body.refresh_token,
      scope: `read ${roleScope('admin')}`,
    });
    assert.deepStrictEqual([widened.status, widened.body.error], [400, 'invalid_scope']);
    // client_credentials: the client is the subject, and a client holds no roles, whatever its scopes.
    const robot = await w.token({
      grant_type: 'client_credentials',
      client_id: 'robot',
      client_secret: ROBOT_SECRET,
    });
    assert.equal(robot.body.scope, 'read role:admin');
    const answer = await w.staff(robot.body.access_token);
    assert.deepStrictEqual([answer.status, answer.body.code], [403, 'forbidden']);
  });
});

describe('forged and foreign tokens at the token service’s guard', () => {
  let w: Awaited<ReturnType<typeof oauthWorld>>;
  let genuine: string;
  before(async () => {
    w = await oauthWorld();
    genuine = (
      await w.token({
        grant_type: 'password',
        client_id: 'console',
        username: 'root',
        password: 'root-password-1',
      })
    ).body.access_token;
    assert.equal((await w.staff(genuine)).status, 200);
  });
  after(() => w.close());

  it('an HS256 token signed with the published JWKS (as JSON, or a key’s x) gets 401', async () => {
    const jwks = (await (await fetch(`${w.url}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string; x: string }>;
    };
    const [published] = jwks.keys;
    assert.ok(published);
    for (const secret of [JSON.stringify(jwks), JSON.stringify(published), published.x]) {
      const forged = await new SignJWT({ ...decodeJwt(genuine), jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256', kid: published.kid, typ: 'at+jwt' })
        .sign(new TextEncoder().encode(secret.padEnd(32, '=')));
      const answer = await w.staff(forged);
      assert.deepStrictEqual([answer.status, answer.body.code], [401, 'credentials_invalid']);
    }
  });

  it('a token carrying its own key (jwk header) or pointing at the attacker’s keys (jku, x5u) gets 401, and nothing is fetched', async () => {
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    let fetched = 0;
    const keyServer = createServer((_req, res) => {
      fetched++;
      res.end(JSON.stringify({ keys: [{ kid: 'evil' }] }));
    });
    await new Promise<void>((r) => keyServer.listen(0, '127.0.0.1', r));
    const evil = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json`;
    try {
      for (const header of [
        { jwk: await exportJWK(attacker.publicKey) },
        { jku: evil, kid: 'evil' },
        { x5u: evil, kid: 'evil' },
      ]) {
        const forged = await new SignJWT({ ...decodeJwt(genuine), jti: randomUUID() })
          .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header })
          .sign(attacker.privateKey);
        const answer = await w.staff(forged);
        assert.deepStrictEqual([answer.status, answer.body.code], [401, 'credentials_invalid'], Object.keys(header)[0]);
      }
      assert.equal(fetched, 0);
    } finally {
      await new Promise((r) => keyServer.close(r));
    }
  });

  it('a token whose kid names no key (a path, SQL, 2000 characters, empty) gets 401, and the next request is served', async () => {
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    for (const kid of ['../../etc/passwd', "' OR 1=1 --", 'x'.repeat(2000), '']) {
      const token = await new SignJWT({ ...decodeJwt(genuine), jti: randomUUID() })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
        .sign(attacker.privateKey);
      const answer = await w.staff(token);
      assert.deepStrictEqual([answer.status, answer.body.code], [401, 'credentials_invalid'], kid.slice(0, 20));
    }
    assert.equal((await w.staff(genuine)).status, 200);
  });

  it('revoking a forged token that copies a real token’s jti and client leaves the real token valid', async () => {
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const claims = decodeJwt(genuine);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .sign(attacker.privateKey);
    const revoked = await postForm(`${w.url}/oauth/revoke`, { client_id: 'console', token: forged });
    assert.equal(revoked.status, 200); // RFC 7009 §2.2: the same answer, and nothing done
    assert.equal((await w.staff(genuine)).status, 200);
  });
});

describe('the playground applies the same rule', () => {
  it('its admin’s token passes /api/staff, and the same sign-in with scope=read gets 403', async () => {
    const pg = await startPlayground();
    try {
      const signIn = (scope?: string) =>
        postForm(`${pg.url}/oauth/token`, {
          grant_type: 'password',
          client_id: DEMO.publicClient,
          username: 'admin',
          password: 'admin-password',
          ...(scope !== undefined ? { scope } : {}),
        });
      const staff = async (token: string) => {
        const response = await fetch(`${pg.url}/api/staff`, { headers: { authorization: `Bearer ${token}` } });
        return [response.status, ((await response.json()) as { code?: string }).code];
      };
      assert.deepStrictEqual(await staff((await signIn()).body.access_token), [200, undefined]);
      assert.deepStrictEqual(await staff((await signIn('read admin')).body.access_token), [403, 'forbidden']);
    } finally {
      await pg.close();
    }
  });
});
