/**
 * The client bundle in headless Chromium (Debian's package, driven by playwright-core), on a
 * page served from one origin, against the playground on another: a bearer refresh, a CORS
 * preflight carrying Authorization, and a cross-origin redirect that must not carry the token.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DEMO } from '../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';
import { clientSubject } from '../../src/server/index.ts';
import { buildClientBundle, IMPORT_MAP, pageOrigin, servePages } from '../support/browser-page.ts';
import { launchChromium, requireChromium, skipWithoutBrowser } from '../support/chromium.ts';

/** The page: the built client, with an import map for its one dependency, running three checks. */
const PAGE = (api: string) => `<!doctype html><html><head><meta charset="utf-8">
${IMPORT_MAP}</head><body>
<script type="module">
import { bearer, createClient, oauth2ClientCredentials } from '/dist/client/index.js';
const api = ${JSON.stringify(api)};
const results = {};
try {
  let refreshes = 0;
  const tokens = oauth2ClientCredentials({ tokenUrl: api + '/oauth/token', clientId: ${JSON.stringify(DEMO.serviceClient.id)}, clientSecret: ${JSON.stringify(DEMO.serviceClient.secret)}, clientAuthentication: 'body' });
  const client = createClient({ baseUrl: api + '/', auth: bearer(tokens), onRefresh: () => refreshes++ });
  results.first = (await (await client.get('api/me')).json()).id;
  const { accessToken } = await tokens.getToken();
  await fetch(api + '/oauth/revoke', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: accessToken, client_id: ${JSON.stringify(DEMO.serviceClient.id)}, client_secret: ${JSON.stringify(DEMO.serviceClient.secret)} }) });
  results.afterRevoke = (await client.get('api/me')).status;
  results.refreshes = refreshes;
  const redirected = await (await client.get('cross-origin/redirect?path=/headers')).json();
  results.redirectedAuthorization = redirected.headers.Authorization ?? null;
  results.redirectedHost = redirected.headers.Host;
} catch (error) {
  results.error = String(error && error.stack || error);
}
window.results = results;
</script></body></html>`;

// Locally a machine without Chromium skips loudly (as for Postgres and Redis); with CI=true the
// before hook fails instead, so CI never passes by skipping.
const noBrowser = skipWithoutBrowser('the browser test');

describe('the client in a real browser', () => {
  let playground: Playground;
  let page: Server;
  before(async () => {
    if (!requireChromium(noBrowser)) return;
    const dist = buildClientBundle();
    playground = await startPlayground();
    page = await servePages(dist, { '/': PAGE(playground.url) });
  });
  after(async () => {
    page?.close();
    await playground?.close();
  });

  it('refreshes a revoked token once, passes the CORS preflight with Authorization, and drops the token on a cross-origin redirect', {
    skip: noBrowser,
  }, async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(`${pageOrigin(page)}/`);
      await tab.waitForFunction(() => (window as unknown as { results?: unknown }).results !== undefined, undefined, {
        timeout: 20_000,
      });
      const results = (await tab.evaluate(
        () => (window as unknown as { results: Record<string, unknown> }).results,
      )) as Record<string, unknown>;
      assert.equal(results['error'], undefined, String(results['error']));
      assert.equal(
        results['first'],
        clientSubject(DEMO.serviceClient.id), // a client_credentials principal is client:<id>
        'a bearer call from another origin, through the CORS preflight',
      );
      assert.equal(results['afterRevoke'], 200, 'the revoked token was refreshed and the call repeated');
      assert.equal(results['refreshes'], 1);
      assert.equal(results['redirectedAuthorization'], null, 'no Authorization reached the other origin');
      assert.equal(results['redirectedHost'], new URL(playground.otherUrl).host);
    } finally {
      await browser.close();
    }
  });
});
