/**
 * A person signs in from a page in headless Chromium (Debian's package, driven by playwright-core):
 * the page, on one loopback origin, starts the authorization code flow with PKCE against the
 * playground on another (startAuthorization), the person fills the playground's real sign-in form,
 * the browser is sent back to the page's /callback, and the page completes the sign-in
 * (completeAuthorization) and calls the API with the token through a CORS preflight.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO } from '../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';
import { buildClientBundle, IMPORT_MAP, pageOrigin, servePages } from '../support/browser-page.ts';
import { launchChromium, requireChromium, skipWithoutBrowser } from '../support/chromium.ts';

const alice = DEMO.users[0]!;

/** The sign-in's options, the same on both pages; this page's origin is known only in the page. */
const OPTIONS = (
  issuer: string,
) => `{ issuer: ${JSON.stringify(issuer)}, clientId: ${JSON.stringify(DEMO.publicClient)},
  redirectUri: location.origin + '/callback', scope: 'read' }`;

const failure = 'e => ({ name: e?.name, code: e?.code, message: String(e?.message), held: e?.held })';

/** The page that starts a sign-in as soon as it loads; with ?hold, the callback page will wait to be given the URL. */
const START = (issuer: string) => `<!doctype html><html><head><meta charset="utf-8">${IMPORT_MAP}</head><body>
<script type="module">
import { startAuthorization } from '/dist/client/index.js';
try {
  if (location.search === '?hold') sessionStorage.setItem('test:hold', '1');
  location.assign(await startAuthorization(${OPTIONS(issuer)}));
} catch (error) {
  window.results = { error: (${failure})(error) };
}
</script></body></html>`;

/** The redirect back: completes the sign-in, calls the API, then tries the same callback again. */
const CALLBACK = (issuer: string) => `<!doctype html><html><head><meta charset="utf-8">${IMPORT_MAP}</head><body>
<script type="module">
import { bearer, completeAuthorization, createClient } from '/dist/client/index.js';
const options = ${OPTIONS(issuer)};
const results = {};
try {
  if (sessionStorage.getItem('test:hold')) {
    sessionStorage.removeItem('test:hold');
    throw Object.assign(new Error('held'), { held: location.href });
  }
  const source = await completeAuthorization(location.href, options);
  const api = createClient({ baseUrl: options.issuer + '/', auth: bearer(source) });
  const me = await api.get('api/me');
  results.status = me.status;
  results.id = (await me.json()).id;
  results.again = await completeAuthorization(location.href, options).then(() => 'completed', ${failure});
  results.afterAgain = (await api.get('api/me')).status;
} catch (error) {
  results.error = (${failure})(error);
}
window.results = results;
</script></body></html>`;

type Results = Record<string, unknown> & { error?: { name: string; code: string; message: string; held?: string } };

async function resultsOf(tab: Page): Promise<Results> {
  await tab.waitForFunction(() => (window as unknown as { results?: unknown }).results !== undefined, undefined, {
    timeout: 20_000,
  });
  return tab.evaluate(() => (window as unknown as { results: Results }).results);
}

/** The person at the playground's form: alice's credentials, then Allow. */
async function signIn(tab: Page): Promise<void> {
  await tab.fill('input[name=username]', alice.username);
  await tab.fill('input[name=password]', alice.password);
  await tab.click('button[value=allow]');
}

// Locally a machine without Chromium skips loudly; with CI=true the before hook fails instead.
const noBrowser = skipWithoutBrowser('the browser sign-in test');

describe('signing in from a page on another origin, in a real browser', () => {
  let playground: Playground;
  let page: Server;
  before(async () => {
    if (!requireChromium(noBrowser)) return;
    const dist = buildClientBundle();
    playground = await startPlayground();
    page = await servePages(dist, { '/': START(playground.url), '/callback': CALLBACK(playground.url) });
  });
  after(async () => {
    page?.close();
    await playground?.close();
  });

  it('signs in through the authorize form, calls the API as the user, and uses each callback once', {
    skip: noBrowser,
  }, async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const console: string[] = [];
      tab.on('console', (message) => console.push(message.text()));
      const tokenRequests: string[] = [];
      tab.on('request', (request) => {
        if (new URL(request.url()).pathname === '/oauth/token') tokenRequests.push(request.method());
      });
      const form = tab.waitForResponse(
        (r) => r.request().resourceType() === 'document' && r.url().startsWith(`${playground.url}/oauth/authorize?`),
      );
      await tab.goto(`${pageOrigin(page)}/`);
      const formHeaders = (await form).headers();
      assert.match(formHeaders['content-security-policy'] ?? '', /default-src 'none'/);
      assert.match(formHeaders['content-security-policy'] ?? '', /frame-ancestors 'none'/);
      // The form's POST is answered by a 303 to this page's origin, which form-action must allow.
      assert.ok(formHeaders['content-security-policy']?.includes(`form-action 'self' ${pageOrigin(page)};`));
      assert.equal(formHeaders['cache-control'], 'no-store');

      await signIn(tab);
      const results = await resultsOf(tab);
      assert.equal(results.error, undefined, `${JSON.stringify(results.error)}\n${console.join('\n')}`);
      const callback = new URL(tab.url());
      assert.equal(callback.origin + callback.pathname, `${pageOrigin(page)}/callback`);
      assert.equal(callback.searchParams.getAll('code').length, 1, 'the code, once, in the redirect back');
      assert.equal(callback.searchParams.get('iss'), playground.url, 'RFC 9207: the issuer in the redirect back');
      assert.equal(results['status'], 200, 'the API answered the token, through the CORS preflight');
      assert.equal(results['id'], `u-${alice.username}`);
      // The same callback again: its state was removed from sessionStorage when first used, so the
      // page refuses it before anything is sent; the code is never replayed (a replay would have
      // revoked the tokens it issued, and the next call would be a 401).
      assert.deepEqual(
        { name: (results['again'] as Results['error'])?.name, code: (results['again'] as Results['error'])?.code },
        { name: 'AuthorizationResponseError', code: 'ERR_GATEHOUSE_AUTHORIZATION_RESPONSE' },
      );
      assert.match((results['again'] as { message: string }).message, /already used/);
      assert.deepEqual(tokenRequests, ['POST'], 'one code exchange, no replay');
      assert.equal(results['afterAgain'], 200, 'the tokens were not revoked');
    } finally {
      await browser.close();
    }
  });

  it('refuses a redirect back whose iss names another server (a mix-up, RFC 9207), exchanging nothing', {
    skip: noBrowser,
  }, async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const tokenRequests: string[] = [];
      tab.on('request', (request) => {
        if (new URL(request.url()).pathname === '/oauth/token') tokenRequests.push(request.method());
      });
      // The page holds the redirect back (the browser followed it), and is sent to it with iss replaced.
      await tab.goto(`${pageOrigin(page)}/?hold`);
      await signIn(tab);
      const tampered = new URL((await resultsOf(tab)).error!.held!);
      assert.equal(tampered.searchParams.get('iss'), playground.url);
      tampered.searchParams.set('iss', playground.otherUrl);
      await tab.goto(tampered.href);
      const results = await resultsOf(tab);
      assert.equal(results.error?.name, 'IssuerMismatchError', JSON.stringify(results));
      assert.equal(results.error?.code, 'ERR_GATEHOUSE_ISSUER_MISMATCH');
      assert.ok(!results.error?.message.includes(tampered.searchParams.get('code')!), 'the code is in no message');
      assert.deepEqual(tokenRequests, [], 'the code was not exchanged');
    } finally {
      await browser.close();
    }
  });
});
