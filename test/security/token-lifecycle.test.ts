/**
 * Token lifecycle attacks: a refresh token that outlives its account or its password, roles frozen
 * into a refresh family, a rotated refresh token replayed to fork the chain, a stolen older
 * generation, a copy of the database, and tokens of another type (a plain JWT, an ID token) offered
 * as access tokens. Each case is an attack that must fail, over a real socket, on SQLite (shared
 * with the CLI in another process) and on Postgres.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  basicScheme,
  bearerScheme,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type GatehouseStore,
  hashPassword,
  openStore,
  requireRoles,
  requireScopes,
  roleScope,
  type TokenService,
} from '../../src/server/index.ts';
import { gatehouseSync } from '../support/cli.ts';
import { listen, postForm } from '../support/server.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

const ISSUER = 'https://lifecycle.test';
const GRACE_MS = 2000;

interface World {
  store: GatehouseStore;
  service: TokenService;
  url: string;
  storeUrl: string;
  /** The SQLite file, when the store is one. */
  file?: string;
  close(): Promise<void>;
}

async function world(
  kind: 'sqlite' | 'postgres',
  t?: TestContext,
  refreshTokenTtlSeconds?: number,
): Promise<World | undefined> {
  let storeUrl: string;
  let store: GatehouseStore;
  let file: string | undefined;
  let drop = async () => {};
  if (kind === 'sqlite') {
    file = join(mkdtempSync(join(tmpdir(), 'gh-lifecycle-')), 'gatehouse.db');
    storeUrl = `sqlite:${file}`;
    store = await openStore(storeUrl);
  } else {
    if (!(await requirePostgres(t ?? {}))) return undefined;
    const schema = runSchema('lifecycle');
    storeUrl = POSTGRES_URL;
    store = await openStore(POSTGRES_URL, { namespace: schema });
    drop = () => dropSchema(schema);
  }
  for (const [username, roles] of [
    ['alice', ['admin']],
    ['bob', ['member']],
  ] as const) {
    await store.users.putUser({
      username,
      id: `u-${username}`,
      passwordHash: await hashPassword(`${username}-password-1`),
      scopes: ['read', 'write'],
      roles: [...roles],
    });
  }
  // role:admin: the web client may carry the admin role in its tokens (roles are granted as scopes).
  await store.clients.putClient({
    clientId: 'web',
    grants: ['password', 'refresh_token'],
    scopes: ['read', 'write', roleScope('admin')],
  });
  await store.clients.putClient({ clientId: 'other', grants: ['password', 'refresh_token'], scopes: ['read'] });
  // A confidential client whose id spells a user's id (RFC 9700 §4.15: a client posing as a user).
  await store.clients.putClient({
    clientId: 'u-alice',
    secretHash: createHash('sha256').update('robot-secret').digest('hex'),
    grants: ['client_credentials'],
    scopes: ['read', roleScope('admin')],
  });
  const service = createTokenService({
    store,
    issuer: ISSUER,
    reuseGraceMs: GRACE_MS,
    ...(refreshTokenTtlSeconds ? { refreshTokenTtlSeconds } : {}),
  });
  const oauth = mountFetch(
    createAuthorizationServer({ service, legacyPasswordGrant: true, users: store.users, clients: store.clients })
      .handle,
  );
  const guard = createGuard({ schemes: [service.bearerScheme()] });
  const me = protect(guard, (req, res) =>
    res.end(JSON.stringify({ id: req.auth?.id, roles: req.auth?.roles, scopes: req.auth?.scopes })),
  );
  const admin = protect(guard, (_req, res) => res.end('admin'), { permission: requireRoles('admin') });
  const reader = protect(guard, (_req, res) => res.end('read'), { permission: requireScopes('read') });
  const http = createServer((req, res) => {
    if (req.url === '/api/me') return void me(req, res);
    if (req.url === '/api/admin') return void admin(req, res);
    if (req.url === '/api/read') return void reader(req, res);
    return void oauth(req, res);
  });
  const listening = await listen(http);
  return {
    store,
    service,
    storeUrl,
    ...(file ? { file } : {}),
    url: listening.url,
    close: async () => {
      await listening.close();
      await store.close();
      await drop();
    },
  };
}

const login = async (w: World, username = 'alice', clientId = 'web', scope?: string) => {
  const answer = await postForm(`${w.url}/oauth/token`, {
    grant_type: 'password',
    client_id: clientId,
    username,
    password: `${username}-password-1`,
    ...(scope !== undefined ? { scope } : {}),
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
};
const refresh = (w: World, token: string, clientId = 'web', scope?: string) =>
  postForm(`${w.url}/oauth/token`, {
    grant_type: 'refresh_token',
    client_id: clientId,
    refresh_token: token,
    ...(scope !== undefined ? { scope } : {}),
  });
const api = (w: World, token: string, path = '/api/me') =>
  fetch(`${w.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
const gatehouse = (w: World, args: string[], input = '') => gatehouseSync([...args, '--store', w.storeUrl], { input });

describe('a refresh token does not outlive its account, its password or its roles', () => {
  let w: World;
  before(async () => {
    w = (await world('sqlite'))!;
  });
  after(() => w.close());
  const reset = async (username: string, roles: string[] = ['admin']) =>
    w.store.users.putUser({
      username,
      id: `u-${username}`,
      passwordHash: await hashPassword(`${username}-password-1`),
      scopes: ['read', 'write'],
      roles,
    });

  it('after `gatehouse users remove`, an earlier refresh token mints nothing: 400 invalid_grant', async () => {
    const tokens = await login(w, 'alice');
    assert.equal(gatehouse(w, ['users', 'remove', 'alice']).code, 0);
    const answer = await refresh(w, tokens.refresh_token);
    assert.deepStrictEqual([answer.status, answer.body.error], [400, 'invalid_grant']);
    await reset('alice');
  });

  it('after `gatehouse users passwd`, every earlier refresh token of that user is refused; other users keep theirs', async () => {
    const first = await login(w, 'alice');
    const second = await login(w, 'alice');
    const bobs = await login(w, 'bob');
    const changed = gatehouse(w, ['users', 'passwd', 'alice'], 'alice-password-1');
    assert.equal(changed.code, 0, changed.stderr);
    for (const token of [first.refresh_token, second.refresh_token]) {
      const answer = await refresh(w, token);
      assert.deepStrictEqual([answer.status, answer.body.error], [400, 'invalid_grant']);
    }
    assert.equal((await refresh(w, bobs.refresh_token)).status, 200);
    // A sign-in after the change works as ever.
    assert.equal((await refresh(w, (await login(w, 'alice')).refresh_token)).status, 200);
  });

  it('`gatehouse users revoke-sessions` ends every session of one user (and says how many)', async () => {
    await w.service.revokeUser('u-bob'); // what earlier tests left live
    const sessions = [await login(w, 'bob'), await login(w, 'bob'), await login(w, 'bob', 'other')];
    const alices = await login(w, 'alice');
    const revoked = gatehouse(w, ['users', 'revoke-sessions', 'bob']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked 3 sessions? of bob/);
    for (const [i, tokens] of sessions.entries()) {
      const answer = await refresh(w, tokens.refresh_token, i === 2 ? 'other' : 'web');
      assert.deepStrictEqual([answer.status, answer.body.error], [400, 'invalid_grant']);
    }
    assert.equal((await refresh(w, alices.refresh_token)).status, 200);
    assert.equal(gatehouse(w, ['users', 'revoke-sessions', 'nobody']).code, 1);
  });

  it('tokenService.revokeUser(id) does the same from code', async () => {
    const tokens = await login(w, 'bob');
    assert.equal(await w.service.revokeUser('u-bob'), 1);
    assert.equal((await refresh(w, tokens.refresh_token)).body.error, 'invalid_grant');
  });

  it('a demoted user’s refresh gives an access token with the new roles and no lost scope', async () => {
    await reset('alice', ['admin']);
    const tokens = await login(w, 'alice');
    assert.equal((await api(w, tokens.access_token, '/api/admin')).status, 200);
    await w.store.users.putUser({ ...(await w.store.users.findUserByName('alice'))!, roles: [], scopes: ['read'] });
    const answer = await refresh(w, tokens.refresh_token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.scope, 'read');
    const claims = decodeJwt(answer.body.access_token);
    assert.deepStrictEqual([claims['roles'], claims['scope']], [undefined, 'read']);
    const refused = await api(w, answer.body.access_token, '/api/admin');
    assert.deepStrictEqual([refused.status, (await refused.json()).code], [403, 'forbidden']);
    // Promoted again: the next rotation carries it (the family's grant still covers write).
    await reset('alice', ['admin']);
    const again = await refresh(w, answer.body.refresh_token);
    assert.deepStrictEqual(
      [again.body.scope, decodeJwt(again.body.access_token)['roles']],
      ['read write role:admin', ['admin']],
    );
  });

  it('a user removed and added again under the same name (a new id) does not inherit the old sessions', async () => {
    const tokens = await login(w, 'bob');
    await w.store.users.removeUser('bob');
    await w.store.users.putUser({
      username: 'bob',
      id: 'u-bob-2',
      passwordHash: await hashPassword('bob-password-1'),
      scopes: ['read', 'write'],
      roles: ['admin'],
    });
    const answer = await refresh(w, tokens.refresh_token);
    assert.deepStrictEqual([answer.status, answer.body.error], [400, 'invalid_grant']);
  });
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the grace window replays one successor, never a new chain (${kind})`, () => {
    let w: World | undefined;
    before(async () => {
      w = await world(kind);
    });
    after(() => w?.close());
    const ready = (t: TestContext) => {
      if (!w) t.skip('Postgres unavailable');
      return w!;
    };

    it('one rotated token exchanged five times in the window (in turn and at once) gives the same refresh token every time', async (t) => {
      const w = ready(t);
      const first = await login(w);
      const inTurn = [];
      for (let i = 0; i < 3; i++) inTurn.push(await refresh(w, first.refresh_token));
      const atOnce = await Promise.all([refresh(w, first.refresh_token), refresh(w, first.refresh_token)]);
      const answers = [...inTurn, ...atOnce];
      assert.deepStrictEqual(
        answers.map((a) => a.status),
        [200, 200, 200, 200, 200],
      );
      const successors = new Set(answers.map((a) => a.body.refresh_token));
      assert.equal(successors.size, 1, 'exactly one successor');
      // Every access token is for the same user and session, and works.
      for (const answer of answers) assert.equal((await api(w, answer.body.access_token)).status, 200);
      // The one successor is live and rotates on; the chain continues from it alone.
      const next = await refresh(w, [...successors][0]!);
      assert.equal(next.status, 200);
      assert.equal((await refresh(w, next.body.refresh_token)).status, 200);
    });

    it('twenty concurrent exchanges of one token yield one successor', async (t) => {
      const w = ready(t);
      const first = await login(w);
      const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(w, first.refresh_token)));
      assert.ok(answers.every((a) => a.status === 200));
      assert.equal(new Set(answers.map((a) => a.body.refresh_token)).size, 1);
    });

    it('an older generation presented inside the window revokes the family', async (t) => {
      const w = ready(t);
      const t0 = (await login(w)).refresh_token;
      const t1 = (await refresh(w, t0)).body.refresh_token;
      const t2 = (await refresh(w, t1)).body.refresh_token;
      const stolen = await refresh(w, t0);
      assert.deepStrictEqual([stolen.status, stolen.body.error], [400, 'invalid_grant']);
      assert.match(String(stolen.body['error_description']), /already used; its whole family is revoked/);
      assert.equal((await refresh(w, t2)).body.error, 'invalid_grant', 'the live token dies with the family');
    });

    it('a replay after the window revokes the family', async (t) => {
      const w = ready(t);
      const t0 = (await login(w)).refresh_token;
      const t1 = (await refresh(w, t0)).body.refresh_token;
      await new Promise((r) => setTimeout(r, GRACE_MS + 100));
      assert.equal((await refresh(w, t0)).body.error, 'invalid_grant');
      assert.equal((await refresh(w, t1)).body.error, 'invalid_grant');
    });

    it('after the successor is revoked (RFC 7009), repeating its parent inside the window gets nothing', async (t) => {
      const w = ready(t);
      const t0 = (await login(w)).refresh_token;
      const t1 = (await refresh(w, t0)).body.refresh_token;
      assert.equal((await postForm(`${w.url}/oauth/revoke`, { client_id: 'web', token: t1 })).status, 200);
      const repeat = await refresh(w, t0);
      assert.deepStrictEqual(
        [repeat.status, repeat.body.error, repeat.body.refresh_token],
        [400, 'invalid_grant', undefined],
      );
    });

    it('another client replaying the token in the window gets nothing, and the family is revoked', async (t) => {
      const w = ready(t);
      const t0 = (await login(w)).refresh_token;
      const t1 = (await refresh(w, t0)).body.refresh_token;
      assert.equal((await refresh(w, t0, 'other')).body.error, 'invalid_grant');
      assert.equal((await refresh(w, t1)).body.error, 'invalid_grant', 'the live token dies with the family');
    });

    // RFC 9700 §4.14.2: a rotated token back outside what a replay allows is a copy, whichever other
    // check would refuse it too; refusing it quietly lets a thief probe it without tripping detection.
    it('a rotated token presented with a wider scope revokes the family', async (t) => {
      const w = ready(t);
      const t0 = (await login(w, 'alice', 'web', 'read')).refresh_token;
      const t1 = (await refresh(w, t0)).body.refresh_token;
      const probe = await refresh(w, t0, 'web', 'read write');
      assert.deepStrictEqual([probe.status, probe.body.error], [400, 'invalid_grant']);
      assert.equal((await refresh(w, t1)).body.error, 'invalid_grant', 'the live token dies with the family');
    });

    it('a refresh token presented by another client revokes its family, rotated or not', async (t) => {
      const w = ready(t);
      const t0 = (await login(w)).refresh_token;
      const probe = await refresh(w, t0, 'other');
      assert.deepStrictEqual([probe.status, probe.body.error], [400, 'invalid_grant']);
      assert.equal((await refresh(w, t0)).body.error, 'invalid_grant', 'the leaked token is dead for its client too');
    });

    it('a rotated token presented after its expiry revokes the family', async (t) => {
      if (!w) return t.skip('Postgres unavailable');
      const short = (await world(kind, t, 2))!;
      try {
        const t0 = (await login(short)).refresh_token;
        await new Promise((r) => setTimeout(r, 1500));
        const t1 = (await refresh(short, t0)).body.refresh_token; // lives until about 3.5 s
        await new Promise((r) => setTimeout(r, 700)); // t0 expired, still inside the 2 s window
        const probe = await refresh(short, t0);
        assert.deepStrictEqual([probe.status, probe.body.error], [400, 'invalid_grant']);
        assert.equal((await refresh(short, t1)).body.error, 'invalid_grant', 'the live token dies with the family');
      } finally {
        await short.close();
      }
    });

    it('what a legitimate client does stays harmless: a narrower repeat in the window, a wider ask before rotation, an expired token', async (t) => {
      const w = ready(t);
      const t0 = (await login(w)).refresh_token;
      const wider = await refresh(w, t0, 'web', 'read write role:admin delete');
      assert.deepStrictEqual([wider.status, wider.body.error], [400, 'invalid_scope']);
      const t1 = (await refresh(w, t0)).body.refresh_token;
      const narrower = await refresh(w, t0, 'web', 'read');
      assert.deepStrictEqual([narrower.status, narrower.body.refresh_token], [200, t1]);
      assert.equal((await refresh(w, t1)).status, 200);
    });
  });
}

describe('a client is never taken for a user (RFC 9068 §5, RFC 9700 §4.15)', () => {
  let w: World;
  before(async () => {
    w = (await world('sqlite'))!;
  });
  after(() => w.close());
  const robot = async () => {
    const answer = await postForm(`${w.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: 'u-alice',
      client_secret: 'robot-secret',
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.access_token;
  };

  it('a client registered under a user’s id gets tokens whose subject is a client’s, not that user’s', async () => {
    const token = await robot();
    const claims = decodeJwt(token);
    assert.deepStrictEqual([claims.sub, claims['client_id']], ['client:u-alice', 'u-alice']);
    const me = await (await api(w, token)).json();
    assert.equal(me.id, 'client:u-alice');
    const alice = await (await api(w, (await login(w, 'alice')).access_token)).json();
    assert.equal(alice.id, 'u-alice');
    assert.notEqual(me.id, alice.id);
  });

  it('the client’s token still passes requireScopes and carries no role, whatever its scopes', async () => {
    const token = await robot();
    assert.equal((await api(w, token, '/api/read')).status, 200);
    const admin = await api(w, token, '/api/admin');
    assert.deepStrictEqual([admin.status, (await admin.json()).code], [403, 'forbidden']);
  });

  it('a user whose id is in the clients’ namespace (added through the store API) is not issued tokens', async () => {
    await w.store.users.putUser({
      username: 'mallory',
      id: 'client:web',
      passwordHash: await hashPassword('mallory-password-1'),
      scopes: ['read'],
    });
    const answer = await postForm(`${w.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'web',
      username: 'mallory',
      password: 'mallory-password-1',
    });
    assert.deepStrictEqual(
      [answer.status, answer.body.error, answer.body.access_token],
      [400, 'invalid_grant', undefined],
    );
  });
});

it('a copy of the database holds no refresh token, nor the successor kept for replay', async () => {
  const w = (await world('sqlite'))!;
  try {
    const t0 = (await login(w)).refresh_token;
    const t1 = (await refresh(w, t0)).body.refresh_token;
    const dump = readFileSync(w.file!).toString('latin1') + readFileSync(`${w.file}-wal`).toString('latin1');
    for (const token of [t0, t1]) {
      assert.ok(!dump.includes(token), 'a refresh token in clear');
      assert.ok(!dump.includes(token.slice(3)), 'a refresh token without its prefix');
      assert.ok(!dump.includes(Buffer.from(token).toString('base64')), 'a refresh token in base64');
    }
    // The hash of the parent finds its record; nothing in the row is the successor.
    const parent = await w.store.refreshTokens.findRefreshToken(createHash('sha256').update(t0).digest('hex'));
    assert.ok(parent?.sealedSuccessor);
    assert.ok(!JSON.stringify(parent).includes(t1.slice(3)));
  } finally {
    await w.close();
  }
});

describe('only access tokens are access tokens (RFC 9068 §2.1, §4; RFC 8725 §3.11)', () => {
  let w: World;
  let sign: (header: Record<string, unknown>, claims: Record<string, unknown>) => Promise<string>;
  before(async () => {
    w = (await world('sqlite'))!;
    const issued = await login(w, 'bob');
    const kid = decodeProtectedHeader(issued.access_token).kid!;
    const stored = (await w.store.jwtKeys.listJwtKeys()).find((k) => k.kid === kid)!;
    const key = await importJWK(stored.privateJwk as JWK, 'EdDSA');
    // Signed with the service's own key: only the type tells these tokens apart.
    sign = (header, claims) =>
      new SignJWT({ scope: 'read', client_id: 'web', ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid, ...header })
        .setSubject('u-bob')
        .setIssuer(ISSUER)
        .setAudience(ISSUER)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
  });
  after(() => w.close());

  it('the token service types its access tokens at+jwt', async () => {
    assert.equal(decodeProtectedHeader((await login(w, 'bob')).access_token).typ, 'at+jwt');
  });

  const impostors: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['typ JWT', { typ: 'JWT' }, {}],
    ['an ID token (no typ, a nonce, the client among its audiences)', {}, { nonce: 'n-1', aud: [ISSUER, 'web'] }],
    ['typ dpop+jwt', { typ: 'dpop+jwt' }, {}],
    ['typ at+jwt with a suffix', { typ: 'at+jwt2' }, {}],
  ];
  for (const [what, header, claims] of impostors) {
    it(`the service's guard refuses ${what}: 401 invalid_token`, async () => {
      const response = await api(w, await sign(header, claims));
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      const body = await response.json();
      assert.equal(body.code, 'credentials_invalid');
      assert.match(body.detail, /at\+jwt/);
    });
  }

  it('the media-type form application/at+jwt is the same type (RFC 9068 §4)', async () => {
    assert.equal((await api(w, await sign({ typ: 'application/at+jwt' }, {}))).status, 200);
  });

  it('a third-party bearerScheme accepts untyped tokens unless told, and refuses them when told', async () => {
    const keys = { keys: [(await w.service.jwks()).keys[0]!] };
    const decide = async (scheme: ReturnType<typeof bearerScheme>, token: string) => {
      const decision = await createGuard({ schemes: [scheme] }).decide(
        new Request('http://api.test/', { headers: { authorization: `Bearer ${token}` } }),
      );
      return decision.outcome === 'refused' ? decision.refusal.reason : decision.outcome;
    };
    const plain = bearerScheme({ jwt: { jwks: keys, algorithms: ['EdDSA'], issuer: ISSUER, audience: ISSUER } });
    const typed = bearerScheme({
      jwt: { jwks: keys, algorithms: ['EdDSA'], issuer: ISSUER, audience: ISSUER, typ: 'at+jwt' },
    });
    const jwtTyped = bearerScheme({
      jwt: { jwks: keys, algorithms: ['EdDSA'], issuer: ISSUER, audience: ISSUER, typ: 'JWT' },
    });
    const untyped = await sign({}, {});
    const jwt = await sign({ typ: 'JWT' }, {});
    const at = await sign({ typ: 'at+jwt' }, {});
    assert.deepStrictEqual(
      [await decide(plain, untyped), await decide(plain, jwt), await decide(plain, at)],
      ['authenticated', 'authenticated', 'authenticated'],
    );
    assert.deepStrictEqual(
      [await decide(typed, untyped), await decide(typed, jwt), await decide(typed, at)],
      ['credentials_invalid', 'credentials_invalid', 'authenticated'],
    );
    assert.deepStrictEqual(
      [await decide(jwtTyped, jwt), await decide(jwtTyped, at)],
      ['authenticated', 'credentials_invalid'],
    );
    assert.throws(() => bearerScheme({ jwt: { key: 'x'.repeat(32), algorithms: ['HS256'], typ: '' } }), /typ/);
  });
});

it('a user whose id is in the clients’ namespace cannot sign in with Basic either: no principal posing as a client', async () => {
  const store = await openStore('sqlite::memory:');
  await store.users.putUser({
    username: 'mallory',
    id: 'client:web',
    passwordHash: await hashPassword('mallory-password-1'),
    scopes: ['read'],
    roles: [],
  });
  let ran = 0;
  const guard = createGuard({ schemes: [basicScheme({ users: store.users })] });
  const server = createServer(
    protect(guard, (_req, res) => {
      ran++;
      res.end('ran');
    }),
  );
  const { url, close } = await listen(server);
  try {
    const answer = await fetch(`${url}/`, {
      headers: { authorization: `Basic ${Buffer.from('mallory:mallory-password-1').toString('base64')}` },
    });
    const body = (await answer.json()) as { code: string };
    assert.deepStrictEqual([answer.status, body.code, ran], [401, 'credentials_invalid', 0]);
  } finally {
    await close();
    await store.close();
  }
});
