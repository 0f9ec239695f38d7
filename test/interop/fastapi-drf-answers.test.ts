import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Answer,
  answer,
  detail,
  drfLogin,
  FASTAPI_API_KEY,
  fastApiToken,
  type RealServer,
  realServersMissing,
  signFastApiToken,
  startDrf,
  startFastApi,
  startStrippingProxy,
  USERS,
} from '../support/real-servers.ts';

// What the real servers answer in each situation of issue 15, so the doctor's tests can rely on
// it. No doctor here: if one of these fails, the servers (or Debian's packages) changed, and every
// doctor expectation built on them needs a second look.

const skip = realServersMissing() ?? false;

const ask = answer;

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** The fields the doctor compares between answers with and without credentials. */
const compared = ({ status, challenge, body }: Answer) => ({ status, challenge, body });

describe('FastAPI 0.92 (its security tutorial) answers', { skip }, () => {
  let app: RealServer & { secretKey: string };
  let proxy: RealServer;
  before(async () => {
    app = await startFastApi();
    proxy = await startStrippingProxy(app.origin);
  });
  after(async () => {
    await proxy?.stop();
    await app?.stop();
  });

  it('HTTPBasic: same status and challenge for no credentials and a wrong password, another body', async () => {
    const none = await ask(`${app.origin}/basic/me`);
    const wrong = await ask(`${app.origin}/basic/me`, { headers: basic('alice', 'not-wonderland') });
    const right = await ask(`${app.origin}/basic/me`, { headers: basic(USERS.alice.username, USERS.alice.password) });
    assert.deepEqual(compared(none), { status: 401, challenge: 'Basic', body: detail('Not authenticated') });
    assert.deepEqual(compared(wrong), {
      status: 401,
      challenge: 'Basic',
      body: detail('Incorrect username or password'),
    });
    assert.equal(right.status, 200);
  });

  it('OAuth2PasswordBearer: a token signed by another key is read and refused, not "missing"', async () => {
    const none = await ask(`${app.origin}/users/me`);
    const otherKey = await signFastApiToken('another-key-entirely', { sub: 'alice', scopes: ['me', 'items'] });
    const forged = await ask(`${app.origin}/users/me`, { headers: bearer(otherKey) });
    const expired = await signFastApiToken(app.secretKey, { sub: 'alice', scopes: ['me'] }, -60);
    const late = await ask(`${app.origin}/users/me`, { headers: bearer(expired) });
    assert.deepEqual(compared(none), { status: 401, challenge: 'Bearer', body: detail('Not authenticated') });
    // The challenge names the route's scopes only once a token was read.
    const refused = { status: 401, challenge: 'Bearer scope="me"', body: detail('Could not validate credentials') };
    assert.deepEqual(compared(forged), refused);
    assert.deepEqual(compared(late), refused);
    // The harness's key is the app's: a token it signs is accepted, as is one from POST /token.
    const signed = await signFastApiToken(app.secretKey, { sub: 'alice', scopes: ['me'] });
    assert.equal((await ask(`${app.origin}/users/me`, { headers: bearer(signed) })).status, 200);
    const issued = await fastApiToken(app.origin, USERS.alice);
    assert.deepEqual(await ask(`${app.origin}/users/me`, { headers: bearer(issued) }), {
      status: 200,
      challenge: null,
      body: JSON.stringify({ username: 'alice' }),
      location: null,
      via: null,
    });
  });

  it('SecurityScopes: a token without a scope gets 401 with scope="items me" and no error=', async () => {
    const bobs = await fastApiToken(app.origin, USERS.bob);
    const claims = JSON.parse(Buffer.from(bobs.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(claims['scopes'], ['me']);
    assert.equal(claims['sub'], 'bob');
    const refused = await ask(`${app.origin}/users/me/items`, { headers: bearer(bobs) });
    assert.deepEqual(compared(refused), {
      status: 401,
      challenge: 'Bearer scope="items me"',
      body: detail('Not enough permissions'),
    });
    assert.ok(!refused.challenge!.includes('error='));
    // Bob may not even ask for the scope: POST /token grants only what he is allowed.
    const asked = await fastApiToken(app.origin, USERS.bob, 'me items');
    assert.equal((await ask(`${app.origin}/users/me/items`, { headers: bearer(asked) })).status, 401);
    const alices = await fastApiToken(app.origin, USERS.alice);
    assert.equal((await ask(`${app.origin}/users/me/items`, { headers: bearer(alices) })).status, 200);
  });

  it('a role check: 401 without a token, 403 with a valid token of a user who is not admin', async () => {
    const none = await ask(`${app.origin}/admin`);
    const bob = await ask(`${app.origin}/admin`, { headers: bearer(await fastApiToken(app.origin, USERS.bob)) });
    const alice = await ask(`${app.origin}/admin`, { headers: bearer(await fastApiToken(app.origin, USERS.alice)) });
    assert.deepEqual(compared(none), { status: 401, challenge: 'Bearer', body: detail('Not authenticated') });
    assert.deepEqual(compared(bob), { status: 403, challenge: null, body: detail('Not enough privileges') });
    assert.equal(alice.status, 200);
  });

  it('HTTPBearer: 403 "Not authenticated" without credentials, with no challenge', async () => {
    const none = await ask(`${app.origin}/bearer/me`);
    const otherScheme = await ask(`${app.origin}/bearer/me`, { headers: basic('alice', 'wonderland') });
    const forged = await ask(`${app.origin}/bearer/me`, {
      headers: bearer(await signFastApiToken('another-key-entirely', { sub: 'alice' })),
    });
    const valid = await ask(`${app.origin}/bearer/me`, { headers: bearer(await fastApiToken(app.origin, USERS.bob)) });
    assert.deepEqual(compared(none), { status: 403, challenge: null, body: detail('Not authenticated') });
    assert.deepEqual(compared(otherScheme), {
      status: 403,
      challenge: null,
      body: detail('Invalid authentication credentials'),
    });
    assert.deepEqual(compared(forged), {
      status: 401,
      challenge: 'Bearer',
      body: detail('Could not validate credentials'),
    });
    assert.equal(valid.status, 200);
  });

  it('APIKeyHeader: 403 without the key and 403 with a wrong one, told apart by the body', async () => {
    const none = await ask(`${app.origin}/apikey/me`);
    const wrong = await ask(`${app.origin}/apikey/me`, { headers: { 'x-api-key': 'not-the-key' } });
    const right = await ask(`${app.origin}/apikey/me`, { headers: { 'x-api-key': FASTAPI_API_KEY } });
    assert.deepEqual(compared(none), { status: 403, challenge: null, body: detail('Not authenticated') });
    assert.deepEqual(compared(wrong), { status: 403, challenge: null, body: detail('Could not validate credentials') });
    assert.equal(right.status, 200);
  });

  it('behind the stripping proxy: the same answer with and without credentials, with Via', async () => {
    const token = await fastApiToken(app.origin, USERS.alice);
    assert.equal((await ask(`${app.origin}/users/me`, { headers: bearer(token) })).status, 200);
    const without = await ask(`${proxy.origin}/users/me`);
    const withToken = await ask(`${proxy.origin}/users/me`, { headers: bearer(token) });
    assert.deepEqual(compared(withToken), compared(without));
    assert.deepEqual(compared(without), { status: 401, challenge: 'Bearer', body: detail('Not authenticated') });
    assert.equal(withToken.via, '1.1 strip-proxy');

    const basicWithout = await ask(`${proxy.origin}/basic/me`);
    const basicWith = await ask(`${proxy.origin}/basic/me`, { headers: basic('alice', 'wonderland') });
    assert.deepEqual(compared(basicWith), compared(basicWithout));
    assert.equal(basicWith.status, 401);
    assert.equal(basicWith.via, '1.1 strip-proxy');
    // Other headers do pass: the API key reaches the app through the proxy.
    const keyed = await ask(`${proxy.origin}/apikey/me`, { headers: { 'x-api-key': FASTAPI_API_KEY } });
    assert.equal(keyed.status, 200);
  });
});

describe('Django REST Framework 3.14 on Django 3.2 answers', { skip }, () => {
  let app: RealServer & { token: string };
  let proxy: RealServer;
  before(async () => {
    app = await startDrf();
    proxy = await startStrippingProxy(app.origin);
  });
  after(async () => {
    await proxy?.stop();
    await app?.stop();
  });

  it('BasicAuthentication: same status and challenge for no credentials and a wrong password, another body', async () => {
    const none = await ask(`${app.origin}/api/basic/me/`);
    const wrong = await ask(`${app.origin}/api/basic/me/`, { headers: basic('alice', 'not-wonderland') });
    const right = await ask(`${app.origin}/api/basic/me/`, { headers: basic('alice', 'wonderland') });
    const challenge = 'Basic realm="api"';
    assert.deepEqual(compared(none), {
      status: 401,
      challenge,
      body: detail('Authentication credentials were not provided.'),
    });
    assert.deepEqual(compared(wrong), { status: 401, challenge, body: detail('Invalid username/password.') });
    assert.equal(right.status, 200);
  });

  it('TokenAuthentication: "Token" challenge; a Bearer-prefixed token is as if nothing was sent', async () => {
    const none = await ask(`${app.origin}/api/token/me/`);
    const wrong = await ask(`${app.origin}/api/token/me/`, { headers: { authorization: 'Token not-a-token' } });
    const asBearer = await ask(`${app.origin}/api/token/me/`, { headers: bearer(app.token) });
    const right = await ask(`${app.origin}/api/token/me/`, { headers: { authorization: `Token ${app.token}` } });
    const notProvided = {
      status: 401,
      challenge: 'Token',
      body: detail('Authentication credentials were not provided.'),
    };
    assert.deepEqual(compared(none), notProvided);
    assert.deepEqual(compared(wrong), { status: 401, challenge: 'Token', body: detail('Invalid token.') });
    // DRF skips a header whose scheme is not its keyword, so this looks like "missing" (but no Via).
    assert.deepEqual(compared(asBearer), notProvided);
    assert.equal(asBearer.via, null);
    assert.deepEqual(compared(right), { status: 200, challenge: null, body: JSON.stringify({ username: 'alice' }) });
  });

  it('IsAdminUser: 401 with the first class\'s "Token" challenge without credentials, 403 for a user', async () => {
    const none = await ask(`${app.origin}/api/admin/`);
    const bob = await ask(`${app.origin}/api/admin/`, { headers: basic('bob', 'builder') });
    const alice = await ask(`${app.origin}/api/admin/`, { headers: { authorization: `Token ${app.token}` } });
    const root = await ask(`${app.origin}/api/admin/`, { headers: basic(USERS.root.username, USERS.root.password) });
    assert.deepEqual(compared(none), {
      status: 401,
      challenge: 'Token',
      body: detail('Authentication credentials were not provided.'),
    });
    const notPermitted = {
      status: 403,
      challenge: null,
      body: detail('You do not have permission to perform this action.'),
    };
    assert.deepEqual(compared(bob), notPermitted);
    assert.deepEqual(compared(alice), notPermitted);
    assert.equal(root.status, 200);
  });

  it('SessionAuthentication first: 403 without credentials, and the CSRF 403 on a POST with cookies', async () => {
    const none = await ask(`${app.origin}/api/session/me/`);
    assert.deepEqual(compared(none), {
      status: 403,
      challenge: null,
      body: detail('Authentication credentials were not provided.'),
    });
    // With Session first there is no challenge at all, so even a rejected Basic password is a 403.
    const wrongBasic = await ask(`${app.origin}/api/session/me/`, { headers: basic('alice', 'not-wonderland') });
    assert.deepEqual(compared(wrongBasic), {
      status: 403,
      challenge: null,
      body: detail('Invalid username/password.'),
    });

    const session = await drfLogin(app.origin, USERS.alice);
    const get = await ask(`${app.origin}/api/session/me/`, { headers: { cookie: session.cookie } });
    assert.equal(get.status, 200);
    // Django 3.2's reason text; Django 4.0 and later say "CSRF token missing." instead.
    const post = await ask(`${app.origin}/api/session/me/`, { method: 'POST', headers: { cookie: session.cookie } });
    assert.deepEqual(compared(post), {
      status: 403,
      challenge: null,
      body: detail('CSRF Failed: CSRF token missing or incorrect.'),
    });
    const withHeader = await ask(`${app.origin}/api/session/me/`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrftoken': session.csrftoken },
    });
    assert.equal(withHeader.status, 200);
  });

  it('APPEND_SLASH: 301 to the same path with a slash, which then answers 200', async () => {
    const headers = { authorization: `Token ${app.token}` };
    const get = await ask(`${app.origin}/api/token/me`, { headers });
    assert.equal(get.status, 301);
    assert.equal(get.location, '/api/token/me/');
    assert.equal(get.challenge, null);
    // With DEBUG off a POST is redirected too (a 301 that clients may follow as a GET, body lost).
    const post = await ask(`${app.origin}/api/token/me`, { method: 'POST', headers, body: 'x=1' });
    assert.equal(post.status, 301);
    assert.equal(post.location, '/api/token/me/');
    const followed = await ask(new URL(get.location!, app.origin).href, { headers });
    assert.equal(followed.status, 200);
  });

  it('behind the stripping proxy: the same answer with and without credentials, with Via', async () => {
    const token = { authorization: `Token ${app.token}` };
    const without = await ask(`${proxy.origin}/api/token/me/`);
    const withToken = await ask(`${proxy.origin}/api/token/me/`, { headers: token });
    assert.deepEqual(compared(withToken), compared(without));
    assert.equal(withToken.status, 401);
    assert.equal(withToken.challenge, 'Token');
    assert.equal(withToken.via, '1.1 strip-proxy');

    const basicWithout = await ask(`${proxy.origin}/api/basic/me/`);
    const basicWith = await ask(`${proxy.origin}/api/basic/me/`, { headers: basic('alice', 'wonderland') });
    assert.deepEqual(compared(basicWith), compared(basicWithout));
    assert.equal(basicWith.status, 401);
    assert.equal(basicWith.via, '1.1 strip-proxy');
    // Cookies do pass: a session still works through the proxy.
    const session = await drfLogin(proxy.origin, USERS.alice);
    assert.equal((await ask(`${proxy.origin}/api/session/me/`, { headers: { cookie: session.cookie } })).status, 200);
  });
});
