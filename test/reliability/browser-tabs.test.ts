/**
 * One refresh across browser tabs: five real pages of one origin in headless Chromium, each with
 * its own token source over tabSharedTokenStore(), all holding the same expired token and all
 * asking at once. The playground is the authorization server, rotating refresh tokens with no
 * grace window (a refresh token spent twice revokes its family); the page's origin forwards the
 * token endpoint to it and counts what reaches it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';
import { buildClientBundle, IMPORT_MAP, pageOrigin, servePages } from '../support/browser-page.ts';
import { launchChromium, requireChromium, skipWithoutBrowser } from '../support/chromium.ts';
import { PLAYGROUND_REDIRECT_URI, playgroundCode } from '../support/playground-code.ts';

/** A tab: the built client, a store named by the query, and `?fallback` taking Web Locks and BroadcastChannel away. */
const PAGE = `<!doctype html><html><head><meta charset="utf-8">${IMPORT_MAP}
<script>
const query = new URLSearchParams(location.search);
if (query.has('fallback')) {
  Object.defineProperty(navigator, 'locks', { value: undefined });
  window.BroadcastChannel = undefined;
}
</script></head><body>
<script type="module">
import { oauth2RefreshToken, tabSharedTokenStore } from '/dist/client/index.js';
const query = new URLSearchParams(location.search);
const store = tabSharedTokenStore({ name: query.get('name') });
const source = oauth2RefreshToken({ tokenUrl: location.origin + '/oauth/token', clientId: 'playground-app', refreshToken: query.get('rt'), store, key: 'me' });
window.tab = {
  seed: (token) => store.set('me', token),
  stored: () => store.get('me'),
  get: () => source.getToken().then((token) => token.accessToken, (error) => 'failed: ' + error),
  locks: Boolean(navigator.locks),
};
</script></body></html>`;

const noBrowser = skipWithoutBrowser('the browser tabs test');

async function signIn(playground: Playground): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const code = await playgroundCode(playground.url, verifier);
  const answer = await fetch(`${playground.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: 'playground-app',
      redirect_uri: PLAYGROUND_REDIRECT_URI,
      code_verifier: verifier,
    }),
  });
  const body = (await answer.json()) as { refresh_token?: string };
  assert.ok(body.refresh_token, `a refresh token from the sign-in (status ${answer.status})`);
  return body.refresh_token;
}

describe('tabSharedTokenStore: five tabs, one refresh', () => {
  let playground: Playground;
  let page: Server;
  let tokenRequests = 0;
  before(async () => {
    if (!requireChromium(noBrowser)) return;
    const dist = buildClientBundle();
    playground = await startPlayground({ refreshGraceMs: 0 });
    // The token endpoint on the page's own origin: forwarded to the playground and counted.
    page = await servePages(dist, { '/': PAGE }, (req, res) => {
      if (!req.url?.startsWith('/oauth/token')) return false;
      tokenRequests++;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const answer = await fetch(`${playground.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': String(req.headers['content-type']) },
          body: Buffer.concat(chunks),
        });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(await answer.text());
      });
      return true;
    });
  });
  after(async () => {
    page?.close();
    await playground?.close();
  });

  for (const fallback of [false, true]) {
    it(fallback
      ? 'without Web Locks and BroadcastChannel (the storage lock): one token request, all five get the new token'
      : 'with Web Locks and BroadcastChannel: one token request, all five get the new token, and the family lives on', {
      skip: noBrowser,
      timeout: 60_000,
    }, async () => {
      const refreshToken = await signIn(playground);
      const browser = await launchChromium();
      try {
        const context = await browser.newContext(); // one origin's storage and locks, shared by the five
        const query = new URLSearchParams({ name: `t${fallback ? 'fallback' : 'locks'}`, rt: refreshToken });
        if (fallback) query.set('fallback', '1');
        const tabs: Page[] = [];
        for (let i = 0; i < 5; i++) {
          const tab = await context.newPage();
          await tab.goto(`${pageOrigin(page)}/?${query}`);
          await tab.waitForFunction(() => 'tab' in window, undefined, { timeout: 20_000 });
          tabs.push(tab);
        }
        type Tab = {
          seed(t: unknown): Promise<void>;
          stored(): Promise<{ refreshToken?: string }>;
          get(): Promise<string>;
          locks: boolean;
        };
        assert.equal(await tabs[0]!.evaluate(() => (window as unknown as { tab: Tab }).tab.locks), !fallback);
        await tabs[0]!.evaluate(
          (rt) =>
            (window as unknown as { tab: Tab }).tab.seed({
              accessToken: 'expired',
              refreshToken: rt,
              expiresAt: Date.now() - 1000,
            }),
          refreshToken,
        );
        tokenRequests = 0;
        const got = await Promise.all(
          tabs.map((tab) => tab.evaluate(() => (window as unknown as { tab: Tab }).tab.get())),
        );
        assert.equal(tokenRequests, 1, 'exactly one token request reached the token endpoint');
        assert.ok(!got[0]!.startsWith('failed') && got[0] !== 'expired', got[0]);
        assert.deepEqual(got, Array(5).fill(got[0]), 'all five tabs hold the new token');
        // A tab opened later starts with the stored token and asks for none.
        const late = await context.newPage();
        await late.goto(`${pageOrigin(page)}/?${query}`);
        await late.waitForFunction(() => 'tab' in window, undefined, { timeout: 20_000 });
        assert.equal(await late.evaluate(() => (window as unknown as { tab: Tab }).tab.get()), got[0]);
        assert.equal(tokenRequests, 1, 'the later tab made no token request');
        const me = await fetch(`${playground.url}/api/me`, { headers: { authorization: `Bearer ${got[0]}` } });
        assert.equal(me.status, 200, 'the new access token works');
        // The family was not revoked: the rotated refresh token refreshes once more.
        const stored = await tabs[4]!.evaluate(() => (window as unknown as { tab: Tab }).tab.stored());
        assert.ok(stored.refreshToken && stored.refreshToken !== refreshToken, 'a rotated refresh token in the store');
        const again = await fetch(`${playground.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: stored.refreshToken,
            client_id: 'playground-app',
          }),
        });
        assert.equal(again.status, 200, `a further refresh works (${await again.text()})`);
      } finally {
        await browser.close();
      }
    });
  }
});
