/**
 * loopbackLogin against Gatehouse's authorization server. With a DPoP key (RFC 9449), server nonces
 * on: the authorization request names the key (§10 dpop_jkt), the code exchange proves it, and the
 * token source it yields keeps proving it at every refresh. An error the server sends back, with
 * its error_description; an openBrowser that waits for the sign-in, or fails; and a store that
 * already holds a sign-in, used by the next process instead of a new one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { fileDpopKey, fileTokenStore } from '../../src/client/file-store.ts';
import { AuthorizationResponseError, dpop, OpenBrowserError } from '../../src/client/index.ts';
import { loopbackLogin } from '../../src/client/loopback-login.ts';
import { type InteropWorld, interopWorld, openAuthorize, PUBLIC_CLIENT, signIn } from '../support/interop-world.ts';

describe('loopbackLogin with a DPoP key', () => {
  let world: InteropWorld;
  before(async () => {
    world = await interopWorld({ dpop: { nonce: true } });
  });
  after(() => world?.close());

  it('binds the code to the key (dpop_jkt), gets DPoP-bound tokens after one nonce retry, refreshes bound', async () => {
    const key = dpop();
    const tokenAnswers: number[] = [];
    let authorizeUrl: URL | undefined;
    let browser: Promise<string> | undefined;
    const source = await loopbackLogin({
      issuer: world.issuer,
      clientId: PUBLIC_CLIENT,
      scope: 'read',
      dpop: key,
      timeoutMs: 20_000,
      // The real fetch, with the token endpoint's answers counted.
      fetch: async (input, init) => {
        const answer = await fetch(input, init);
        if (String(input).endsWith('/oauth/token')) tokenAnswers.push(answer.status);
        return answer;
      },
      // The test plays the user's browser: the printed URL, the sign-in form, the redirect back.
      print: (text) => {
        authorizeUrl = new URL(text.split('\n').find((line) => line.startsWith('http'))!);
        browser = signIn(authorizeUrl).then(async (back) => (await fetch(back)).text());
      },
    });
    assert.match((await browser) ?? '', /Signed in/);
    const jkt = await key.thumbprint();
    assert.equal(authorizeUrl?.searchParams.get('dpop_jkt'), jkt);
    assert.deepEqual(tokenAnswers, [400, 200], 'use_dpop_nonce, answered with exactly one retry');
    const token = await source.getToken();
    assert.equal(token.tokenType, 'DPoP');
    assert.deepEqual(decodeJwt(token.accessToken).cnf, { jkt });
    assert.ok(token.refreshToken?.endsWith(`.${jkt}`), "a public client's refresh token is bound to the key too");
    const refreshed = await source.getToken({ rejected: token.accessToken });
    assert.notEqual(refreshed.accessToken, token.accessToken);
    assert.deepEqual([refreshed.tokenType, decodeJwt(refreshed.accessToken).cnf], ['DPoP', { jkt }]);
    assert.deepEqual(tokenAnswers, [400, 200, 200], 'the refresh proved the key, with the nonce it had');
  });
});

/** The URL in what loopbackLogin prints. */
const printedUrl = (text: string) => new URL(text.split('\n').find((line) => line.startsWith('http'))!);

describe('loopbackLogin: an error sent back by the authorization server', () => {
  let world: InteropWorld;
  before(async () => {
    world = await interopWorld();
  });
  after(() => world?.close());

  it('says what the server said (error_description), and keeps it as errorDescription', async () => {
    const login = loopbackLogin({
      issuer: world.issuer,
      clientId: PUBLIC_CLIENT,
      scope: 'read admin',
      timeoutMs: 10_000,
      // The browser: the authorize endpoint sends it straight back with invalid_scope.
      openBrowser: (url) => {
        void openAuthorize(new URL(url)).then(async ({ location }) => (await fetch(location!)).text());
      },
    });
    await assert.rejects(login, (error: unknown) => {
      assert.ok(error instanceof AuthorizationResponseError);
      assert.equal(error.oauthError, 'invalid_scope');
      // RFC 6749 §4.1.2.1: error_description has no double quote; the server writes the name in single ones.
      assert.equal(error.errorDescription, "Scope 'admin' is not available to this client.");
      assert.match(error.message, /invalid_scope.*the server says: Scope 'admin' is not available to this client\./);
      return true;
    });
  });

  it('shows the description without control characters, and no longer than 200 characters', async () => {
    const login = loopbackLogin({
      issuer: world.issuer,
      clientId: PUBLIC_CLIENT,
      timeoutMs: 10_000,
      openBrowser: (url) => {
        const callback = new URL(new URL(url).searchParams.get('redirect_uri')!);
        callback.searchParams.set('state', new URL(url).searchParams.get('state')!);
        callback.searchParams.set('iss', world.issuer);
        callback.searchParams.set('error', 'server_error');
        callback.searchParams.set(
          'error_description',
          `Down\u001b[2J\r\nfor\u0000 maintenance\u202e ${'x'.repeat(500)}`,
        );
        void fetch(callback).then((answer) => answer.text());
      },
    });
    await assert.rejects(login, (error: unknown) => {
      assert.ok(error instanceof AuthorizationResponseError);
      assert.equal(error.errorDescription?.length, 200);
      assert.ok(error.errorDescription?.startsWith('Down[2J for maintenance xxx'), error.errorDescription);
      assert.ok(error.errorDescription?.endsWith('…'));
      assert.doesNotMatch(error.message, /[\u0000-\u001f\u007f-\u009f\u202e]/);
      return true;
    });
  });
});

describe('loopbackLogin: openBrowser', () => {
  let world: InteropWorld;
  before(async () => {
    world = await interopWorld();
  });
  after(() => world?.close());

  it('answers the callback while openBrowser runs: one that waits for the sign-in to finish does not hang it', {
    timeout: 15_000,
  }, async () => {
    let page = '';
    const source = await loopbackLogin({
      issuer: world.issuer,
      clientId: PUBLIC_CLIENT,
      scope: 'read',
      timeoutMs: 10_000,
      // As a script driving a browser does: sign in, follow the redirect back, wait for the page it shows.
      openBrowser: async (url) => {
        page = await (await fetch(await signIn(new URL(url)))).text();
      },
    });
    assert.match(page, /Signed in/);
    assert.ok((await source.getToken()).accessToken);
  });

  it('ends the sign-in when openBrowser fails: an OpenBrowserError with its error as cause, the listener closed', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let redirect = '';
      const failure = new Error('no display');
      const started = Date.now();
      await assert.rejects(
        loopbackLogin({
          issuer: world.issuer,
          clientId: PUBLIC_CLIENT,
          timeoutMs: 300,
          openBrowser: async (url) => {
            redirect = new URL(url).searchParams.get('redirect_uri')!;
            throw failure;
          },
        }),
        (error: unknown) => {
          assert.ok(error instanceof OpenBrowserError);
          assert.equal(error.code, 'ERR_GATEHOUSE_OPEN_BROWSER');
          assert.equal(error.cause, failure);
          assert.match(error.message, /openBrowser failed \(Error\).*print/);
          return true;
        },
      );
      assert.ok(Date.now() - started < 300, 'at once, not at the timeout');
      await assert.rejects(fetch(redirect), 'nothing listens any more');
      await new Promise((resolve) => setTimeout(resolve, 500)); // past timeoutMs: the wait was given up, not left to time out
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('loopbackLogin with a store: the next process uses the saved sign-in', () => {
  let world: InteropWorld;
  let dir: string;
  before(async () => {
    world = await interopWorld({ dpop: true });
    dir = mkdtempSync(join(tmpdir(), 'gh-login-'));
  });
  after(async () => {
    await world?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * One process's run: its DPoP key and token store from the files `name` names, a loopbackLogin
   * whose sign-ins (the printed URLs) the test's browser completes and counts.
   */
  async function processRun(name: string, more: { maxAge?: number; scope?: string; keyFile?: string } = {}) {
    const { keyFile = `${name}.dpop-key`, ...options } = more;
    const key = await fileDpopKey(join(dir, keyFile));
    const store = fileTokenStore(join(dir, `${name}.json`));
    let signIns = 0;
    let browser: Promise<string> | undefined;
    const source = await loopbackLogin({
      issuer: world.issuer,
      clientId: PUBLIC_CLIENT,
      scope: 'read',
      dpop: key,
      store,
      timeoutMs: 10_000,
      print: (text) => {
        signIns += 1;
        browser = signIn(printedUrl(text)).then(async (back) => (await fetch(back)).text());
      },
      ...options,
    });
    await browser;
    return { source, key, store, signIns };
  }
  const storeKey = () => `oauth2:authorization_code:${world.issuer}/oauth/token:${PUBLIC_CLIENT}`;

  it('the first process signs in; the second, on the same token and key files, uses that sign-in and refreshes it with the key', async () => {
    const first = await processRun('two-processes');
    assert.equal(first.signIns, 1);
    const token = await first.source.getToken();

    const second = await processRun('two-processes');
    assert.equal(second.signIns, 0, 'no second sign-in');
    assert.equal((await second.source.getToken()).accessToken, token.accessToken);
    const refreshed = await second.source.getToken({ rejected: token.accessToken });
    assert.notEqual(refreshed.accessToken, token.accessToken);
    const jkt = await second.key.thumbprint();
    assert.deepEqual([refreshed.tokenType, decodeJwt(refreshed.accessToken).cnf], ['DPoP', { jkt }]);
    assert.equal((await second.store.get(storeKey()))?.accessToken, refreshed.accessToken, 'kept for the next one');
  });

  it('signs in again when the saved sign-in was logged out, its refresh token is refused, or a sign-in level is asked', async () => {
    const first = await processRun('again');
    await first.source.revoke(); // logout: the store holds nothing
    assert.equal((await processRun('again')).signIns, 1, 'after a logout');

    const { store } = await processRun('again');
    const saved = await store.get(storeKey());
    await store.set(storeKey(), { ...saved!, expiresAt: Date.now() - 1_000, refreshToken: 'revoked-long-ago' });
    const afterRefused = await processRun('again');
    assert.equal(afterRefused.signIns, 1, 'after invalid_grant');
    assert.notEqual((await afterRefused.store.get(storeKey()))?.refreshToken, 'revoked-long-ago');

    assert.equal((await processRun('again', { maxAge: 60 })).signIns, 1, 'max_age asks for a new sign-in');
    assert.equal((await processRun('again', { scope: 'read write' })).signIns, 1, 'a scope it was not granted');
    assert.equal(
      (await processRun('again', { keyFile: 'another.dpop-key' })).signIns,
      1,
      'tokens bound to another key',
    );
    assert.equal((await processRun('again', { keyFile: 'another.dpop-key' })).signIns, 0, 'and then that sign-in');
  });
});
