/**
 * Protected resource metadata (RFC 9728): where the document lives (§3.1), what it says, and the
 * guard's Bearer challenges naming it (§5.1), served and guarded on node:http and on Hono; and the
 * audience check that makes a token for another resource useless here (RFC 8707, RFC 9068 §4).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { generateKeyPair, SignJWT } from 'jose';
import { mountFetch as honoMountFetch, protect as honoProtect } from '../../src/adapters/hono/index.ts';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  bearerScheme,
  createGuard,
  INVALID_ARGUMENT,
  parseChallenges,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from '../../src/server/index.ts';
import { listen } from '../support/server.ts';

describe('the metadata URL (RFC 9728 §3.1)', () => {
  const table: [string, string][] = [
    ['https://api.example', 'https://api.example/.well-known/oauth-protected-resource'],
    ['https://api.example/', 'https://api.example/.well-known/oauth-protected-resource'],
    ['https://example.com/billing', 'https://example.com/.well-known/oauth-protected-resource/billing'],
    ['https://example.com/billing/', 'https://example.com/.well-known/oauth-protected-resource/billing/'],
    ['https://example.com/a/b', 'https://example.com/.well-known/oauth-protected-resource/a/b'],
    ['https://example.com:8443/v1', 'https://example.com:8443/.well-known/oauth-protected-resource/v1'],
    ['https://example.com/?tenant=1', 'https://example.com/.well-known/oauth-protected-resource?tenant=1'],
    ['http://127.0.0.1:8080/api', 'http://127.0.0.1:8080/.well-known/oauth-protected-resource/api'],
  ];
  for (const [resource, url] of table)
    it(`${resource} → ${url}`, () => assert.equal(protectedResourceMetadataUrl(resource), url));

  it('refuses what is not a resource identifier: relative, another scheme, a fragment, credentials', () => {
    for (const bad of ['/api', 'ftp://x.example', 'https://api.example/#top', 'https://u:p@api.example', ''])
      assert.throws(() => protectedResourceMetadata({ resource: bad }), { code: INVALID_ARGUMENT }, bad);
  });
});

describe('the document and its handler', () => {
  const prm = protectedResourceMetadata({
    resource: 'https://example.com/billing',
    authorizationServers: ['https://auth.example'],
    scopesSupported: ['invoices:read'],
    resourceName: 'Billing',
  });

  it('holds the resource as given, its servers and scopes, and bearer_methods_supported header by default', () => {
    assert.deepEqual(prm.document, {
      resource: 'https://example.com/billing',
      authorization_servers: ['https://auth.example'],
      scopes_supported: ['invoices:read'],
      bearer_methods_supported: ['header'],
      resource_name: 'Billing',
    });
    assert.equal(prm.path, '/.well-known/oauth-protected-resource/billing');
  });

  it('answers GET of its path with cacheable JSON, 405 for another method, and nothing elsewhere', async () => {
    const ok = await prm.handle(new Request(`https://example.com${prm.path}`));
    assert.equal(ok?.status, 200);
    assert.equal(ok?.headers.get('content-type'), 'application/json');
    assert.equal(ok?.headers.get('cache-control'), 'public, max-age=3600');
    assert.equal((await ok!.json()).resource, 'https://example.com/billing');
    const post = await prm.handle(new Request(`https://example.com${prm.path}`, { method: 'POST' }));
    assert.equal(post?.status, 405);
    assert.equal(post?.headers.get('allow'), 'GET, HEAD');
    assert.equal(await prm.handle(new Request('https://example.com/.well-known/oauth-protected-resource')), undefined);
  });
});

/** A key pair, and tokens signed with it for an audience. */
async function issuer() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const token = (aud: string) =>
    new SignJWT({ scope: 'read' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('u-1')
      .setIssuer('https://auth.example')
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  return { publicKey, token };
}

/** A guard whose bearer scheme's audience is the resource, publishing its metadata. */
function guardFor(resource: string, publicKey: CryptoKey) {
  const prm = protectedResourceMetadata({ resource, authorizationServers: ['https://auth.example'] });
  const guard = createGuard({
    schemes: [bearerScheme({ jwt: { key: publicKey, algorithms: ['EdDSA'], audience: resource } })],
    resourceMetadata: prm,
  });
  return { prm, guard };
}

/** What a client reads: the document at the challenge's URL, and the refusals. */
async function checkResource(origin: string, resource: string, token: (aud: string) => Promise<string>) {
  const bare = await fetch(`${origin}/api/me`);
  assert.equal(bare.status, 401);
  const [challenge] = parseChallenges(bare.headers.get('www-authenticate')!);
  assert.equal(challenge?.scheme, 'Bearer');
  const metadataUrl = challenge?.params['resource_metadata'];
  assert.equal(metadataUrl, `${origin}/.well-known/oauth-protected-resource/api`);
  const document = await (await fetch(metadataUrl!)).json();
  assert.equal(document.resource, resource);
  assert.deepEqual(document.authorization_servers, ['https://auth.example']);

  const mine = await fetch(`${origin}/api/me`, { headers: { authorization: `Bearer ${await token(resource)}` } });
  assert.equal(mine.status, 200);
  const theirs = await fetch(`${origin}/api/me`, {
    headers: { authorization: `Bearer ${await token('https://other-api.example')}` },
  });
  assert.equal(theirs.status, 401);
  assert.equal((await theirs.json()).code, 'token_audience_mismatch');
  // The refused token's challenge names the document too: the client can find the right audience there.
  const refused = parseChallenges(theirs.headers.get('www-authenticate')!)[0];
  assert.equal(refused?.params['error'], 'invalid_token');
  assert.equal(refused?.params['resource_metadata'], metadataUrl);
}

describe('a guard that publishes its metadata', () => {
  it('on node:http: the challenge names the document, which mountFetch serves; a token for another resource is refused', async () => {
    const { publicKey, token } = await issuer();
    const http = createServer();
    const served = await listen(http);
    const resource = `${served.url}/api`;
    const { prm, guard } = guardFor(resource, publicKey);
    const document = mountFetch(prm.handle);
    const api = protect(guard, (_req, res) => res.end('{}'));
    http.on('request', (req, res) => void (req.url?.startsWith('/.well-known/') ? document(req, res) : api(req, res)));
    try {
      await checkResource(served.url, resource, token);
    } finally {
      await served.close();
    }
  });

  it('on Hono (in-process): the same challenge, document and refusal', async () => {
    const { publicKey, token } = await issuer();
    const origin = 'http://api.test';
    const resource = `${origin}/api`;
    const { prm, guard } = guardFor(resource, publicKey);
    const app = new Hono();
    app.use(honoMountFetch(prm.handle));
    app.get('/api/me', honoProtect(guard), (c) => c.json({}));
    const inProcess = (url: string | URL, init?: RequestInit) => app.request(new Request(url, init));
    const realFetch = globalThis.fetch;
    globalThis.fetch = inProcess as typeof fetch;
    try {
      await checkResource(origin, resource, token);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('insufficient_scope (403) names the document as well; without the option no challenge does', async () => {
    const { publicKey } = await issuer();
    const { guard } = guardFor('https://api.example', publicKey);
    const forbidden = guard.refusalResponse({ reason: 'insufficient_scope', scope: ['write'], scheme: 'bearer' });
    const [challenge] = parseChallenges(forbidden.headers.get('www-authenticate')!);
    assert.equal(challenge?.params['resource_metadata'], 'https://api.example/.well-known/oauth-protected-resource');
    const plain = createGuard({
      schemes: [bearerScheme({ jwt: { key: publicKey, algorithms: ['EdDSA'], audience: 'https://api.example' } })],
    });
    const missing = plain.refusalResponse({ reason: 'credentials_missing' });
    assert.equal(parseChallenges(missing.headers.get('www-authenticate')!)[0]?.params['resource_metadata'], undefined);
  });

  it('takes the URL as a string too, and refuses one that is not an absolute http(s) URL', async () => {
    const { publicKey } = await issuer();
    const schemes = [bearerScheme({ jwt: { key: publicKey, algorithms: ['EdDSA'], audience: 'https://a.example' } })];
    const guard = createGuard({ schemes, resourceMetadata: 'https://a.example/.well-known/oauth-protected-resource' });
    const [challenge] = parseChallenges(
      guard.refusalResponse({ reason: 'credentials_missing' }).headers.get('www-authenticate')!,
    );
    assert.equal(challenge?.params['resource_metadata'], 'https://a.example/.well-known/oauth-protected-resource');
    for (const bad of ['/.well-known/oauth-protected-resource', 'javascript:alert(1)', 'https://a.example/"x'])
      assert.throws(() => createGuard({ schemes, resourceMetadata: bad }), { code: INVALID_ARGUMENT }, bad);
  });
});
