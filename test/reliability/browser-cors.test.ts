/**
 * A page on one loopback origin, in headless Chromium (Debian's package, driven by playwright-core),
 * calling an authorization server and a guarded API on another: the token endpoint through its CORS
 * preflight (the authorization server's `cors` option), its refusal, the metadata, revocation, and
 * the API's RateLimit fields, which the page's client paces itself by. The authorize endpoint, which
 * a browser navigates to, is no page's to read.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { mountFetch, protect, rateLimit } from '../../src/adapters/node/index.ts';
import {
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type GatehouseStore,
  openStore,
} from '../../src/server/index.ts';
import { pageOrigin, servePages } from '../support/browser-page.ts';
import { launchChromium, requireChromium, skipWithoutBrowser } from '../support/chromium.ts';
import { listen } from '../support/server.ts';
import { SVC_SECRET, sha } from '../support/token-world.ts';

/** The page: every call it makes, and what it could read of each answer, in window.results. */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"></head><body>
<script type="module">
const api = new URLSearchParams(location.search).get('api');
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const client = (secret) => ({ ...form, authorization: 'Basic ' + btoa('svc:' + secret) });
const results = {};
try {
  const granted = await fetch(api + '/oauth/token', { method: 'POST', headers: client(${JSON.stringify(SVC_SECRET)}), body: 'grant_type=client_credentials' });
  const tokens = await granted.json();
  results.token = { status: granted.status, type: tokens.token_type };
  const refused = await fetch(api + '/oauth/token', { method: 'POST', headers: client('wrong'), body: 'grant_type=client_credentials' });
  results.refused = { status: refused.status, error: (await refused.json()).error, challenge: refused.headers.get('www-authenticate') };
  results.issuer = (await (await fetch(api + '/.well-known/oauth-authorization-server')).json()).issuer;
  const me = await fetch(api + '/api/me', { headers: { authorization: 'Bearer ' + tokens.access_token } });
  results.me = { status: me.status, rateLimit: me.headers.get('ratelimit'), policy: me.headers.get('ratelimit-policy') };
  results.revoked = (await fetch(api + '/oauth/revoke', { method: 'POST', headers: client(${JSON.stringify(SVC_SECRET)}), body: 'token=' + tokens.access_token })).status;
  results.authorize = await fetch(api + '/oauth/authorize?client_id=svc').then((r) => 'read ' + r.status, (e) => e.name);
} catch (error) {
  results.error = String(error);
}
window.results = results;
</script></body></html>`;

const noBrowser = skipWithoutBrowser('the browser CORS test');

describe('a page on another origin calls the token endpoint and a guarded API, in a real browser', () => {
  let page: Server;
  let store: GatehouseStore;
  let api: { url: string; close(): Promise<void> };
  const preflights: string[] = [];
  before(async () => {
    if (!requireChromium(noBrowser)) return;
    page = await servePages('', { '/': PAGE });
    const cors = { origins: [pageOrigin(page)] };
    store = await openStore('sqlite::memory:');
    await store.clients.putClient({
      clientId: 'svc',
      secretHash: sha(SVC_SECRET),
      grants: ['client_credentials'],
      scopes: ['read'],
    });
    const service = createTokenService({ store, issuer: 'https://auth.test' });
    const oauth = createAuthorizationServer({
      service,
      users: store.users,
      clients: store.clients,
      codes: store.authorizationCodes,
      cors,
    });
    const guard = createGuard({ schemes: [service.bearerScheme()], cors });
    const limited = rateLimit({ points: 10, durationSeconds: 60, backend: { memory: true } }, (_req, res) =>
      res.end('{}'),
    );
    const me = protect(guard, limited);
    const mounted = mountFetch(oauth.handle);
    api = await listen(
      createServer((req, res) => {
        if (req.method === 'OPTIONS') preflights.push(new URL(req.url ?? '/', 'http://x').pathname);
        return req.url?.startsWith('/api/') ? me(req, res) : mounted(req, res);
      }),
    );
  });
  after(async () => {
    page?.close();
    await api?.close();
    await store?.close();
  });

  it('gets a token through the preflight, reads a refusal, the metadata and the RateLimit fields; never authorize', {
    skip: noBrowser,
  }, async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(`${pageOrigin(page)}/?api=${encodeURIComponent(api.url)}`);
      await tab.waitForFunction(() => (window as unknown as { results?: unknown }).results !== undefined, undefined, {
        timeout: 20_000,
      });
      const results = await tab.evaluate(() => (window as unknown as { results: Record<string, unknown> }).results);
      assert.equal(results['error'], undefined, JSON.stringify(results));
      assert.deepEqual(results['token'], { status: 200, type: 'Bearer' });
      assert.ok(preflights.includes('/oauth/token'), 'the browser asked first (Authorization is not safelisted)');
      assert.deepEqual(results['refused'], {
        status: 401,
        error: 'invalid_client',
        challenge: 'Basic realm="oauth", charset="UTF-8"',
      });
      assert.equal(results['issuer'], 'https://auth.test');
      const me = results['me'] as { status: number; rateLimit: string | null; policy: string | null };
      assert.equal(me.status, 200);
      // What the client's pacing reads (draft-ietf-httpapi-ratelimit-headers), readable by the page.
      assert.match(me.rateLimit ?? '', /^"default";r=9;t=\d+$/);
      assert.match(me.policy ?? '', /^"default";q=10;w=60$/);
      assert.equal(results['revoked'], 200);
      assert.equal(results['authorize'], 'TypeError', 'the page reads nothing of the authorize endpoint');
    } finally {
      await browser.close();
    }
  });
});
