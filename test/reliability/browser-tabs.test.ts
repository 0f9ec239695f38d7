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

/**
 * A tab: the built client; each round opens its own store and token source under a new name (so a
 * round starts from nothing the last one left), and `?fallback` takes Web Locks and
 * BroadcastChannel away.
 */
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
const rounds = new Map();
const round = (name, refreshToken) => {
  if (!rounds.has(name)) {
    const store = tabSharedTokenStore({ name, storage: query.has('memory') ? null : undefined });
    const source = oauth2RefreshToken({ tokenUrl: location.origin + '/oauth/token', clientId: 'playground-app', refreshToken, store, key: 'me' });
    rounds.set(name, { store, source });
  }
  return rounds.get(name);
};
window.tab = {
  open: (name, refreshToken) => void round(name, refreshToken),
  seed: (name, token) => round(name).store.set('me', token),
  stored: (name) => round(name).store.get('me'),
  get: (name) => round(name).source.getToken().then((token) => token.accessToken, (error) => 'failed: ' + error),
  locks: Boolean(navigator.locks),
  inLocalStorage: (name) => localStorage.getItem(name + ':token:me') !== null,
  // A database of this name left at version 2 (by another app of the origin, say): the store cannot open it.
  async refused(name) {
    await new Promise((resolve, reject) => {
      const request = indexedDB.open(name + ':tokens', 2);
      request.onsuccess = () => resolve(request.result.close());
      request.onerror = () => reject(request.error);
    });
    const store = tabSharedTokenStore({ name });
    const error = await store.set('me', { accessToken: 'a' }).then(() => undefined, (e) => e);
    return error && { name: error.name, code: error.code, message: error.message, cause: String(error.cause?.name) };
  },
};
</script></body></html>`;

type Tab = {
  open(name: string, refreshToken: string): void;
  seed(name: string, token: unknown): Promise<void>;
  stored(name: string): Promise<{ refreshToken?: string }>;
  get(name: string): Promise<string>;
  locks: boolean;
  inLocalStorage(name: string): boolean;
  refused(name: string): Promise<{ name: string; code: string; message: string; cause: string } | undefined>;
};
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

  // One round rarely loses a race that a few rounds in a row would: each round is a new sign-in,
  // a new expired token in the store and five tabs asking at once.
  const modes = {
    indexedDB: ['with Web Locks and BroadcastChannel, tokens in IndexedDB', 8],
    memory: ['with Web Locks and BroadcastChannel, tokens in memory (storage: null)', 8],
    fallback: ['without Web Locks and BroadcastChannel (the storage lock, tokens in localStorage)', 3],
  } as const;
  for (const [mode, [what, rounds]] of Object.entries(modes)) {
    const fallback = mode === 'fallback';
    it(`${what}, ${rounds} rounds: one token request each, all five get the new token, and the family lives on`, {
      skip: noBrowser,
      timeout: 120_000,
    }, async () => {
      const browser = await launchChromium();
      try {
        const context = await browser.newContext(); // one origin's storage and locks, shared by the five
        const url = `${pageOrigin(page)}/?${mode}=1`;
        const tabs: Page[] = [];
        for (let i = 0; i < 5; i++) {
          const tab = await context.newPage();
          await tab.goto(url);
          await tab.waitForFunction(() => 'tab' in window, undefined, { timeout: 20_000 });
          tabs.push(tab);
        }
        assert.equal(await tabs[0]!.evaluate(() => (window as unknown as { tab: Tab }).tab.locks), !fallback);
        for (let round = 0; round < rounds; round++) {
          const name = `t-${mode}-${round}`;
          const refreshToken = await signIn(playground);
          for (const tab of tabs)
            await tab.evaluate(
              ([n, rt]) => (window as unknown as { tab: Tab }).tab.open(n!, rt!),
              [name, refreshToken],
            );
          await tabs[round % 5]!.evaluate(
            ([n, rt]) =>
              (window as unknown as { tab: Tab }).tab.seed(n!, {
                accessToken: 'expired',
                refreshToken: rt,
                expiresAt: Date.now() - 1000,
              }),
            [name, refreshToken],
          );
          tokenRequests = 0;
          const got = await Promise.all(
            tabs.map((tab) => tab.evaluate((n) => (window as unknown as { tab: Tab }).tab.get(n), name)),
          );
          assert.equal(tokenRequests, 1, `round ${round}: exactly one token request reached the token endpoint`);
          assert.ok(!got[0]!.startsWith('failed') && got[0] !== 'expired', got[0]);
          assert.deepEqual(got, Array(5).fill(got[0]), `round ${round}: all five tabs hold the new token`);
          const me = await fetch(`${playground.url}/api/me`, { headers: { authorization: `Bearer ${got[0]}` } });
          assert.equal(me.status, 200, 'the new access token works');
          // The family was not revoked: the rotated refresh token refreshes once more.
          const stored = await tabs[4]!.evaluate((n) => (window as unknown as { tab: Tab }).tab.stored(n), name);
          assert.ok(
            stored.refreshToken && stored.refreshToken !== refreshToken,
            'a rotated refresh token in the store',
          );
          const again = await fetch(`${playground.url}/oauth/token`, {
            method: 'POST',
            body: new URLSearchParams({
              grant_type: 'refresh_token',
              refresh_token: stored.refreshToken,
              client_id: 'playground-app',
            }),
          });
          assert.equal(again.status, 200, `round ${round}: a further refresh works (${await again.text()})`);
          assert.equal(
            await tabs[1]!.evaluate((n) => (window as unknown as { tab: Tab }).tab.inLocalStorage(n), name),
            fallback,
            'the token is in localStorage only where the fallback lock is',
          );
          if (round > 0 || mode === 'memory') continue;
          // A tab opened later starts with the stored token and asks for none.
          const late = await context.newPage();
          await late.goto(url);
          await late.waitForFunction(() => 'tab' in window, undefined, { timeout: 20_000 });
          await late.evaluate(([n, rt]) => (window as unknown as { tab: Tab }).tab.open(n!, rt!), [name, refreshToken]);
          assert.equal(await late.evaluate((n) => (window as unknown as { tab: Tab }).tab.get(n), name), got[0]);
          assert.equal(tokenRequests, 1, 'the later tab made no token request');
          await late.close();
        }
      } finally {
        await browser.close();
      }
    });
  }

  it('an IndexedDB that cannot be opened is a TokenStorageError saying what to do, not a DOMException', {
    skip: noBrowser,
  }, async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(`${pageOrigin(page)}/`);
      await tab.waitForFunction(() => 'tab' in window, undefined, { timeout: 20_000 });
      const error = await tab.evaluate(() => (window as unknown as { tab: Tab }).tab.refused('versioned'));
      assert.equal(error?.name, 'TokenStorageError');
      assert.equal(error?.code, 'ERR_GATEHOUSE_TOKEN_STORAGE');
      assert.match(
        error?.message ?? '',
        /IndexedDB database "versioned:tokens" could not be opened; allow site storage/,
      );
      assert.equal(error?.cause, 'VersionError', "the browser's own error is its cause");
    } finally {
      await browser.close();
    }
  });
});
