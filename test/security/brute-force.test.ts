/**
 * Brute force: guessing passwords through every entry point that checks one — Basic on the guard,
 * the OAuth password grant, the playground's session login — in parallel bursts, one by one,
 * by timing, and from both spellings of one client address. Every attack must fail: at most the
 * limit of guesses is ever verified, an unknown user cannot be told from a wrong password, and a
 * client cannot double its budget by switching between `127.0.0.1` and `::ffff:127.0.0.1`.
 * Where the client's address is unknown (Hono's `app.request`, Bun, Deno, Workers) no one can
 * lock every client out; behind a proxy the budget follows the forwarded address only when the
 * framework is told to trust it, and a forged X-Forwarded-For buys nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { mountFetch as expressMountFetch, protect as expressProtect } from '../../src/adapters/express/index.ts';
import {
  mountFetch as fastifyMountFetch,
  protect as fastifyProtect,
  gatehousePlugin,
} from '../../src/adapters/fastify/index.ts';
import {
  type GatehouseVariables,
  mountFetch as honoMountFetch,
  protect as honoProtect,
} from '../../src/adapters/hono/index.ts';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import { createClient, LockedOutError, RateLimitedError } from '../../src/client/index.ts';
import { createPlayground } from '../../src/playground/app.ts';
import {
  basicScheme,
  createAuthorizationServer,
  createGuard,
  createLoginProtection,
  createSignIn,
  createTokenService,
  type GatehouseStore,
  hashPassword,
  type LoginProtection,
  type LoginProtectionOptions,
  openStore,
  type UserStore,
} from '../../src/server/index.ts';
import { type App, serveHono } from '../support/adapter-apps.ts';
import { authorizationParams, authorizePost, codeWorld } from '../support/code-flow.ts';
import { counterBackends } from '../support/counter-backends.ts';
import { listen } from '../support/server.ts';

const PASSWORD = 'alice-password-1';
const passwordHash = hashPassword(PASSWORD);

/** What a client sees of one sign-in attempt. */
interface Answer {
  status: number;
  body: string;
  challenge: string | null;
  retryAfter: string | null;
}

interface Listening {
  url: string;
  /** Every client address the server's sockets saw. */
  seen: Set<string>;
  close(): Promise<void>;
}

interface Setup {
  store: GatehouseStore;
  users: UserStore;
  loginProtection: LoginProtection;
}

interface Entry {
  name: string;
  /** The status of a wrong password. */
  invalid: number;
  /** The status of the right one. */
  ok: number;
  listen(setup: Setup, host: string): Promise<Listening>;
  attempt(url: string, username: string, password: string): Promise<Answer>;
}

async function answerOf(response: Response): Promise<Answer> {
  return {
    status: response.status,
    body: await response.text(),
    challenge: response.headers.get('www-authenticate'),
    retryAfter: response.headers.get('retry-after'),
  };
}

/** Listens on `host` (through `listen`) and notes each peer's address; the URL always names 127.0.0.1. */
async function listenNode(server: Server, host: string): Promise<Listening> {
  const seen = new Set<string>();
  server.on('connection', (socket) => seen.add(socket.remoteAddress ?? '?'));
  const { port, close } = await listen(server, { host });
  return { url: `http://127.0.0.1:${port}`, seen, close };
}

const basicHeader = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

const form = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });

const entries: Entry[] = [
  {
    name: 'Basic on the guard',
    invalid: 401,
    ok: 200,
    listen: ({ users, loginProtection }, host) => {
      const guard = createGuard({ realm: 'api', schemes: [basicScheme({ users, loginProtection })] });
      return listenNode(
        createServer(protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id })))),
        host,
      );
    },
    attempt: async (url, username, password) =>
      answerOf(await fetch(`${url}/me`, { headers: { authorization: basicHeader(username, password) } })),
  },
  {
    name: 'the password grant',
    invalid: 400,
    ok: 200,
    listen: ({ store, users, loginProtection }, host) => {
      const service = createTokenService({ store, issuer: 'https://auth.test' });
      const oauth = createAuthorizationServer({
        service,
        legacyPasswordGrant: true,
        users,
        clients: store.clients,
        loginProtection,
      });
      return listenNode(createServer(mountFetch(oauth.handle)), host);
    },
    attempt: async (url, username, password) =>
      answerOf(await form(`${url}/oauth/token`, { grant_type: 'password', client_id: 'web', username, password })),
  },
  {
    name: "the playground's session login",
    invalid: 401,
    ok: 200,
    listen: ({ store, users, loginProtection }, host) => {
      const service = createTokenService({ store, issuer: 'https://playground.test' });
      const app = createPlayground({
        store: { ...store, users },
        service,
        loginProtection,
        otherOrigin: () => undefined,
      });
      return listenNode(createAdaptorServer({ fetch: app.fetch }) as Server, host);
    },
    attempt: async (url, username, password) => answerOf(await form(`${url}/session/login`, { username, password })),
  },
];

interface World {
  store: GatehouseStore;
  urls: string[];
  servers: Listening[];
  /** How many passwords were verified (attempts login protection let go ahead, one hash each). */
  verified(): number;
}

/**
 * A store with alice and known-0…known-4 (all with PASSWORD), the entry listening on each host
 * given, sharing one login protection on the named backend. undefined when the backend's service
 * is down (the test is skipped then).
 */
async function world(
  t: TestContext,
  entry: Entry,
  options: {
    backend?: string;
    hosts?: string[];
    maxConsecutiveFailures?: number;
    maxFailuresPerIpPerDay?: number;
    /** The user store finds names folded to lower case and NFC (as a case-insensitive database would). */
    folding?: boolean;
  } = {},
): Promise<World | undefined> {
  const opened = await counterBackends[options.backend ?? 'memory']!(t);
  if (!opened) return undefined;
  t.after(() => opened.done());
  const store = await openStore('sqlite::memory:');
  t.after(() => store.close());
  for (const username of ['alice', 'known-0', 'known-1', 'known-2', 'known-3', 'known-4'])
    await store.users.putUser({
      username,
      id: `u-${username}`,
      passwordHash: await passwordHash,
      scopes: ['read'],
      roles: [],
    });
  await store.clients.putClient({ clientId: 'web', grants: ['password'], scopes: ['read'] });
  // A store that compares names as written (the shipped ones), or one that folds case and Unicode form.
  const fold = (username: string) => (options.folding ? username.normalize('NFC').toLowerCase() : username);
  const users: UserStore = { ...store.users, findUserByName: (username) => store.users.findUserByName(fold(username)) };
  const { loginProtection, verified } = countingVerifications(
    await createLoginProtection({
      backend: opened.backend,
      prefix: opened.prefix,
      maxConsecutiveFailures: options.maxConsecutiveFailures ?? 5,
      lockoutSeconds: 60,
      maxFailuresPerIpPerDay: options.maxFailuresPerIpPerDay ?? 100,
    }),
  );
  const servers: Listening[] = [];
  for (const host of options.hosts ?? ['127.0.0.1']) {
    const listening = await entry.listen({ store, users, loginProtection }, host);
    t.after(() => listening.close());
    servers.push(listening);
  }
  return { store, urls: servers.map((s) => s.url), servers, verified };
}

/**
 * The login protection, counting the attempts it lets go ahead: each is one password verified
 * (one hash, real or dummy); a refused attempt is verified by no one.
 */
function countingVerifications(inner: LoginProtection): { loginProtection: LoginProtection; verified(): number } {
  let verifications = 0;
  const loginProtection: LoginProtection = {
    ...inner,
    attempt: async (...args) => {
      const wait = await inner.attempt(...args);
      if (wait === undefined) verifications++;
      return wait;
    },
  };
  return { loginProtection, verified: () => verifications };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const entry of entries) {
  /** The problem's code, or the OAuth error of a token endpoint's answer. */
  function codeOf(body: string): string {
    const parsed = JSON.parse(body) as { code?: string; error?: string };
    return parsed.code ?? parsed.error ?? '';
  }

  describe(`brute force against ${entry.name}`, () => {
    for (const backend of Object.keys(counterBackends)) {
      it(`a burst of 25 parallel wrong passwords verifies at most the limit (5); the rest get 429 locked_out at once (${backend} counters)`, async (t) => {
        const w = await world(t, entry, { backend });
        if (!w) return;
        const answers = await Promise.all(
          Array.from({ length: 25 }, (_, i) => entry.attempt(w.urls[0]!, 'alice', `guess-${i}`)),
        );
        const locked = answers.filter((a) => a.status === 429);
        const refused = answers.filter((a) => a.status === entry.invalid);
        assert.equal(locked.length + refused.length, 25, JSON.stringify(answers.map((a) => a.status)));
        assert.ok(w.verified() <= 5, `${w.verified()} of 25 guesses were verified`);
        assert.ok(refused.length <= 5 && locked.length >= 20, `${refused.length} refused, ${locked.length} locked`);
        for (const answer of locked) {
          // Refused while the first five were still being verified: a short wait (nobody had failed
          // yet); once they had failed: locked out.
          const code = JSON.parse(answer.body).code;
          if (code === 'rate_limited') assert.equal(answer.retryAfter, '1');
          else {
            assert.equal(code, 'locked_out');
            assert.ok(Number(answer.retryAfter) > 0 && Number(answer.retryAfter) <= 60, String(answer.retryAfter));
          }
        }
        // Locked out, even the right password is not verified.
        const before = w.verified();
        const after = await entry.attempt(w.urls[0]!, 'alice', PASSWORD);
        assert.equal(after.status, 429);
        assert.equal(JSON.parse(after.body).code, 'locked_out');
        assert.equal(w.verified(), before, 'no hash is spent on a locked-out attempt');
      });
    }

    for (const backend of ['memory', 'postgres']) {
      it(`10 parallel sign-ins with the right password at a cold start all succeed: verified once, no 429 (${backend} counters)`, async (t) => {
        const w = await world(t, entry, { backend });
        if (!w) return;
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => entry.attempt(w.urls[0]!, 'alice', PASSWORD)),
        );
        assert.deepStrictEqual(
          answers.map((a) => a.status),
          answers.map(() => entry.ok),
          answers.map((a) => `${a.status} ${a.retryAfter} ${a.body}`).join('\n'),
        );
      });
    }

    it('after one wrong password (from anyone), 10 parallel right ones all succeed', async (t) => {
      const w = await world(t, entry);
      if (!w) return;
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, entry.ok);
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', 'a-wrong-guess')).status, entry.invalid);
      const answers = await Promise.all(Array.from({ length: 10 }, () => entry.attempt(w.urls[0]!, 'alice', PASSWORD)));
      assert.deepStrictEqual(
        answers.map((a) => a.status),
        answers.map(() => entry.ok),
      );
    });

    it('3 wrong and 10 right passwords in parallel: the wrong ones are refused, every right one succeeds, none is locked out', async (t) => {
      const w = await world(t, entry);
      if (!w) return;
      const answers = await Promise.all([
        ...Array.from({ length: 3 }, (_, i) => entry.attempt(w.urls[0]!, 'alice', `wrong-${i}`)),
        ...Array.from({ length: 10 }, () => entry.attempt(w.urls[0]!, 'alice', PASSWORD)),
      ]);
      assert.deepStrictEqual(
        answers.map((a) => a.status),
        [...Array(3).fill(entry.invalid), ...Array(10).fill(entry.ok)],
      );
    });

    it('more distinct attempts in flight than the limit: the extra ones wait a second (rate_limited, Retry-After 1), never a 900 s lockout nobody earned', async (t) => {
      const w = await world(t, entry);
      if (!w) return;
      // Nine distinct passwords in flight at once (two, then the right one, then six more), limit 5.
      const answers = await Promise.all([
        ...Array.from({ length: 2 }, (_, i) => entry.attempt(w.urls[0]!, 'alice', `typo-${i}`)),
        ...Array.from({ length: 8 }, () => entry.attempt(w.urls[0]!, 'alice', PASSWORD)),
        ...Array.from({ length: 6 }, (_, i) => entry.attempt(w.urls[0]!, 'alice', `other-typo-${i}`)),
      ]);
      const invalid = answers.filter((a) => a.status === entry.invalid).length;
      // (More than five may be verified: a right one that finishes first gives its place back.)
      assert.ok(
        answers.every((a) => [entry.ok, entry.invalid, 429].includes(a.status)),
        answers.map((a) => a.status).join(),
      );
      for (const answer of answers.filter((a) => a.status === 429)) {
        const code = JSON.parse(answer.body).code;
        if (code === 'locked_out') assert.ok(invalid >= 5, 'locked out only after five real failures');
        else assert.deepStrictEqual([code, answer.retryAfter], ['rate_limited', '1']);
      }
    });

    it('an unknown user and a wrong password get byte-identical answers in comparable time', async (t) => {
      const w = await world(t, entry);
      if (!w) return;
      const timed = async (username: string) => {
        const start = performance.now();
        const answer = await entry.attempt(w.urls[0]!, username, 'not-the-password');
        return { ms: performance.now() - start, answer };
      };
      // Warm both paths (the dummy hash is made on first use, connections opened).
      await timed('known-0');
      await timed('nobody');
      const known: Array<{ ms: number; answer: Answer }> = [];
      const unknown: typeof known = [];
      for (let i = 0; i < 5; i++) {
        known.push(await timed(`known-${i}`));
        unknown.push(await timed(`unknown-${i}`));
      }
      const first = known[0]!.answer;
      assert.equal(first.status, entry.invalid);
      for (const { answer } of [...known, ...unknown]) assert.deepStrictEqual(answer, first);
      // Both cost one argon2id hash; without the dummy hash an unknown user answers ~20-100× faster.
      const ratio = median(unknown.map((a) => a.ms)) / median(known.map((a) => a.ms));
      assert.ok(ratio > 0.33 && ratio < 3, `unknown/known time ratio ${ratio.toFixed(2)}`);
    });

    it('one guess at a time: after the limit even the right (and recently verified) password gets 429 locked_out with Retry-After, unknown users alike', async (t) => {
      const w = await world(t, entry, { maxConsecutiveFailures: 3 });
      if (!w) return;
      // alice signs in first: where verified pairs are remembered (Basic), hers is; it must not outlive the lockout.
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, 200);
      for (const username of ['alice', 'nobody']) {
        for (let i = 0; i < 3; i++)
          assert.equal((await entry.attempt(w.urls[0]!, username, `wrong-${i}`)).status, entry.invalid);
        const locked = await entry.attempt(w.urls[0]!, username, PASSWORD);
        assert.equal(locked.status, 429, username);
        assert.equal(JSON.parse(locked.body).code, 'locked_out');
        const wait = Number(locked.retryAfter);
        assert.ok(wait > 50 && wait <= 60, String(wait));
      }
      assert.equal((await entry.attempt(w.urls[0]!, 'known-0', PASSWORD)).status, 200, 'other users are untouched');
    });

    it('a success gives its points back, to the pair and to the address', async (t) => {
      // 3 in a row per (user, address), 5 per address a day: 8 attempts with 4 failures all go ahead
      // only if each success gives back what its attempt spent.
      const w = await world(t, entry, { maxConsecutiveFailures: 3, maxFailuresPerIpPerDay: 5 });
      if (!w) return;
      const statuses: number[] = [];
      for (const password of [PASSWORD, 'w1', 'w2', PASSWORD, 'w3', 'w4', PASSWORD, PASSWORD])
        statuses.push((await entry.attempt(w.urls[0]!, 'alice', password)).status);
      assert.deepStrictEqual(statuses, [
        200,
        ...[entry.invalid, entry.invalid],
        200,
        entry.invalid,
        entry.invalid,
        200,
        200,
      ]);
      // The failures still count: one more makes the address's fifth, then it is locked.
      assert.equal((await entry.attempt(w.urls[0]!, 'known-1', 'w5')).status, entry.invalid);
      assert.equal((await entry.attempt(w.urls[0]!, 'known-2', PASSWORD)).status, 429);
    });

    it('a parallel spray across 25 usernames from one address verifies at most the address budget', async (t) => {
      const w = await world(t, entry, { maxFailuresPerIpPerDay: 5 });
      if (!w) return;
      const answers = await Promise.all(
        Array.from({ length: 25 }, (_, i) => entry.attempt(w.urls[0]!, `user-${i}`, 'Winter2026!')),
      );
      assert.ok(w.verified() <= 5, `${w.verified()} of 25 guesses were verified`);
      assert.ok(answers.filter((a) => a.status === 429).length >= 20);
      assert.ok(answers.every((a) => a.status === 429 || a.status === entry.invalid));
    });

    it("a second account whose name differs only in case cannot clear the victim's failures (4 wrong for alice, 1 right as Alice, repeated)", async (t) => {
      const w = await world(t, entry);
      if (!w) return;
      // The attacker's own account next to alice's: the shipped stores compare names exactly.
      await w.store.users.putUser({
        username: 'Alice',
        id: 'u-attacker',
        passwordHash: await hashPassword('attacker-own-1'),
        scopes: ['read'],
        roles: [],
      });
      const statuses: number[] = [];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++)
          statuses.push((await entry.attempt(w.urls[0]!, 'alice', `guess-${round}-${i}`)).status);
        assert.equal((await entry.attempt(w.urls[0]!, 'Alice', 'attacker-own-1')).status, entry.ok, 'his own account');
      }
      assert.deepStrictEqual(statuses, [...Array(5).fill(entry.invalid), ...Array(7).fill(429)]);
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, 429, 'alice is locked out');
      // Five guesses at alice's password, and at most three sign-ins as Alice (Basic remembers his pair).
      assert.ok(w.verified() <= 5 + 3, `${w.verified()} passwords verified`);
    });

    it('with a store that compares names exactly, a variant spelling is a guess at an account that does not exist: counted apart, never a success', async (t) => {
      const w = await world(t, entry, { maxConsecutiveFailures: 3 });
      if (!w) return;
      // Even with alice's own password, ALICE (or NFD jose\u0301 for a NFC josé) is nobody.
      for (const username of ['ALICE', 'Alice', 'aLiCe', 'ALICE', 'ALICE'])
        assert.equal((await entry.attempt(w.urls[0]!, username, PASSWORD)).status, entry.invalid);
      await w.store.users.putUser({
        username: 'jos\u00e9',
        id: 'u-jose',
        passwordHash: await passwordHash,
        scopes: [],
        roles: [],
      });
      assert.equal((await entry.attempt(w.urls[0]!, 'jose\u0301', PASSWORD)).status, entry.invalid);
      assert.equal((await entry.attempt(w.urls[0]!, 'ALICE', PASSWORD)).status, 429, "ALICE's own count is spent");
      // None of it was counted on alice's account: her owner signs in, and her own count is whole.
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, entry.ok);
      assert.equal((await entry.attempt(w.urls[0]!, 'jos\u00e9', PASSWORD)).status, entry.ok);
      for (let i = 0; i < 3; i++)
        assert.equal((await entry.attempt(w.urls[0]!, 'alice', `wrong-${i}`)).status, entry.invalid);
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, 429);
    });

    it('with a store that folds case and Unicode form, every spelling of a name is the one account, with one count', async (t) => {
      const w = await world(t, entry, { maxConsecutiveFailures: 3, folding: true });
      if (!w) return;
      for (const username of ['alice', 'ALICE', 'Alice'])
        assert.equal((await entry.attempt(w.urls[0]!, username, 'wrong')).status, entry.invalid);
      assert.equal(
        (await entry.attempt(w.urls[0]!, 'aLiCe', PASSWORD)).status,
        429,
        'the account is locked, in every spelling',
      );
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, 429);
      await w.store.users.putUser({
        username: 'jos\u00e9',
        id: 'u-jose',
        passwordHash: await passwordHash,
        scopes: [],
        roles: [],
      });
      assert.equal(
        (await entry.attempt(w.urls[0]!, 'jose\u0301', PASSWORD)).status,
        entry.ok,
        'the store finds josé by NFD',
      );
      for (const username of ['jos\u00e9', 'jose\u0301', 'JOS\u00c9'])
        assert.equal((await entry.attempt(w.urls[0]!, username, 'wrong')).status, entry.invalid);
      assert.equal((await entry.attempt(w.urls[0]!, 'jos\u00e9', PASSWORD)).status, 429);
    });

    it('a long or NUL-bearing username is counted like any other, never a 5xx (Postgres counters)', async (t) => {
      const w = await world(t, entry, { backend: 'postgres', maxConsecutiveFailures: 2 });
      if (!w) return;
      for (const username of ['x'.repeat(2000), 'ali\u0000ce']) {
        const first = await entry.attempt(w.urls[0]!, username, 'wrong');
        // Basic's parser refuses a control character in the pair before any sign-in, and so does the
        // token endpoint for any form field (400 invalid_request): nothing reaches the counters.
        if (first.status === 400 && ['credentials_malformed', 'invalid_request'].includes(codeOf(first.body))) continue;
        assert.equal(first.status, entry.invalid, username.slice(0, 8));
        assert.equal((await entry.attempt(w.urls[0]!, username, 'wrong')).status, entry.invalid);
        assert.equal((await entry.attempt(w.urls[0]!, username, 'wrong')).status, 429);
      }
    });

    it('a lockout counted through a ::ffff:127.0.0.1 socket holds for 127.0.0.1, and the other way round', async (t) => {
      // One listener on :: (dual stack: an IPv4 client is seen as ::ffff:127.0.0.1), one on 127.0.0.1.
      const w = await world(t, entry, { hosts: ['::', '127.0.0.1'], maxConsecutiveFailures: 3 });
      if (!w) return;
      const [dual, v4] = w.urls as [string, string];
      const mapped = dual.replace('127.0.0.1', '[::ffff:127.0.0.1]');
      for (let i = 0; i < 3; i++)
        assert.equal((await entry.attempt(dual, 'alice', `wrong-${i}`)).status, entry.invalid);
      assert.equal(
        (await entry.attempt(v4, 'alice', PASSWORD)).status,
        429,
        'locked via ::ffff:127.0.0.1, seen as 127.0.0.1',
      );
      assert.equal((await entry.attempt(mapped, 'alice', PASSWORD)).status, 429);
      for (let i = 0; i < 3; i++)
        assert.equal((await entry.attempt(v4, 'known-0', `wrong-${i}`)).status, entry.invalid);
      assert.equal((await entry.attempt(mapped, 'known-0', PASSWORD)).status, 429, 'locked via 127.0.0.1');
      assert.equal((await entry.attempt(dual, 'known-0', PASSWORD)).status, 429);
      // The test saw both spellings of the one client.
      assert.deepStrictEqual([...w.servers[0]!.seen], ['::ffff:127.0.0.1']);
      assert.deepStrictEqual([...w.servers[1]!.seen], ['127.0.0.1']);
    });
  });
}

describe('one count across entry points', () => {
  it('guesses through Basic, the password grant and the session login share one lockout (the playground)', async (t) => {
    const entryByName = (name: string) => entries.find((e) => e.name.includes(name))!;
    const w = await world(t, entryByName('session'), { maxConsecutiveFailures: 3 });
    if (!w) return;
    // The playground serves all three: /api/me (Basic), /oauth/token and /session/login.
    const url = w.urls[0]!;
    await w.store.clients.putClient({ clientId: 'web', grants: ['password'], scopes: ['read'] });
    const basic = (password: string) =>
      fetch(`${url}/api/me`, { headers: { authorization: basicHeader('alice', password) } });
    const grant = (password: string) =>
      form(`${url}/oauth/token`, { grant_type: 'password', client_id: 'web', username: 'alice', password });
    const session = (password: string) => form(`${url}/session/login`, { username: 'alice', password });
    assert.equal((await basic('wrong-1')).status, 401);
    assert.equal((await grant('wrong-2')).status, 400);
    assert.equal((await session('wrong-3')).status, 401);
    for (const attempt of [basic, grant, session]) assert.equal((await attempt(PASSWORD)).status, 429);
  });
});

/** A store with alice and bob (PASSWORD), a `web` client for the password grant, counted verifications. */
async function usersWorld(t: TestContext, backend: string, protection: Partial<LoginProtectionOptions> = {}) {
  const opened = await counterBackends[backend]!(t);
  if (!opened) return undefined;
  t.after(() => opened.done());
  const store = await openStore('sqlite::memory:');
  t.after(() => store.close());
  for (const username of ['alice', 'bob'])
    await store.users.putUser({
      username,
      id: `u-${username}`,
      passwordHash: await passwordHash,
      scopes: ['read'],
      roles: [],
    });
  await store.clients.putClient({ clientId: 'web', grants: ['password'], scopes: ['read'] });
  const users: UserStore = store.users;
  const { loginProtection, verified } = countingVerifications(
    await createLoginProtection({ backend: opened.backend, prefix: opened.prefix, lockoutSeconds: 60, ...protection }),
  );
  const guard = createGuard({ realm: 'api', schemes: [basicScheme({ users, loginProtection })] });
  const service = createTokenService({ store, issuer: 'https://auth.test' });
  const oauth = createAuthorizationServer({
    service,
    legacyPasswordGrant: true,
    users,
    clients: store.clients,
    loginProtection,
  });
  return { store, users, loginProtection, guard, oauth, verified };
}

/** One sign-in, as a request to send (in-process or over a socket). */
interface SignInRoute {
  name: string;
  invalid: number;
  request(username: string, password: string, headers?: Record<string, string>): [string, RequestInit];
}

const signInRoutes: SignInRoute[] = [
  {
    name: 'Basic on the guard',
    invalid: 401,
    request: (username, password, headers = {}) => [
      '/me',
      { headers: { ...headers, authorization: basicHeader(username, password) } },
    ],
  },
  {
    name: 'the password grant',
    invalid: 400,
    request: (username, password, headers = {}) => [
      '/oauth/token',
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username, password }),
      },
    ],
  },
];

describe('brute force from clients whose address is unknown (Hono app.request, as on Bun, Deno, Workers)', () => {
  /** The same Hono app, in-process (no address) and over a socket on @hono/node-server (its address). */
  async function honoWorld(t: TestContext, backend: string, protection: Partial<LoginProtectionOptions> = {}) {
    const lines: string[] = [];
    const w = await usersWorld(t, backend, { onUnknownAddress: (line) => lines.push(line), ...protection });
    if (!w) return undefined;
    const app = new Hono<{ Variables: GatehouseVariables }>();
    app.get('/me', honoProtect(w.guard), (c) => c.json({ id: c.get('auth')?.id }));
    app.use(honoMountFetch(w.oauth.handle));
    const served = await serveHono(app);
    t.after(() => served.close());
    const statusOf = (response: Response) => response.status;
    return {
      ...w,
      lines,
      inProcess: (route: SignInRoute, username: string, password: string) =>
        Promise.resolve(app.request(...route.request(username, password))).then(statusOf),
      overSocket: (route: SignInRoute, username: string, password: string) => {
        const [path, init] = route.request(username, password);
        return fetch(`${served.url}${path}`, init).then(statusOf);
      },
    };
  }

  for (const route of signInRoutes) {
    for (const backend of Object.keys(counterBackends)) {
      it(`${route.name}: 5 wrong passwords from an unknown address lock no one out; after 20 in a row the account is locked for unknown addresses only (${backend} counters)`, async (t) => {
        const w = await honoWorld(t, backend);
        if (!w) return;
        for (let i = 0; i < 5; i++) assert.equal(await w.inProcess(route, 'alice', `guess-${i}`), route.invalid);
        assert.equal(await w.overSocket(route, 'alice', PASSWORD), 200, 'the owner, from her own address');
        assert.equal(await w.inProcess(route, 'alice', PASSWORD), 200, 'the owner, from an unknown address too');
        // Without an address the account's own count (20 in a row by default) is what stops guessing.
        for (let i = 0; i < 20; i++) assert.equal(await w.inProcess(route, 'bob', `guess-${i}`), route.invalid);
        const before = w.verified();
        assert.equal(await w.inProcess(route, 'bob', PASSWORD), 429, 'the 21st from an unknown address');
        assert.equal(w.verified(), before, 'no hash is spent on it');
        assert.equal(await w.overSocket(route, 'bob', PASSWORD), 200, 'the owner at a known address is not locked');
        assert.equal(await w.inProcess(route, 'alice', PASSWORD), 200, 'nor is anyone else');
      });
    }

    it(`${route.name}: from an unknown address, a second account named Alice cannot clear alice's failures`, async (t) => {
      const w = await honoWorld(t, 'memory');
      if (!w) return;
      await w.store.users.putUser({
        username: 'Alice',
        id: 'u-attacker',
        passwordHash: await hashPassword('attacker-own-1'),
        scopes: ['read'],
        roles: [],
      });
      const statuses: number[] = [];
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 4; i++) statuses.push(await w.inProcess(route, 'alice', `guess-${round}-${i}`));
        assert.equal(await w.inProcess(route, 'Alice', 'attacker-own-1'), 200, 'his own account');
      }
      assert.deepStrictEqual(statuses, [...Array(20).fill(route.invalid), ...Array(4).fill(429)]);
      assert.equal(await w.inProcess(route, 'alice', PASSWORD), 429, 'alice is locked for unknown addresses');
      assert.equal(await w.overSocket(route, 'alice', PASSWORD), 200, 'not for her owner at a known address');
    });

    it(`${route.name}: 100 failures from unknown addresses (any usernames) never block every user`, async (t) => {
      const w = await honoWorld(t, 'memory');
      if (!w) return;
      for (let i = 0; i < 100; i++) assert.equal(await w.inProcess(route, `nobody-${i}`, 'x'), route.invalid);
      assert.equal(await w.inProcess(route, 'bob', PASSWORD), 200, 'another user, no address');
      assert.equal(await w.overSocket(route, 'bob', PASSWORD), 200, 'another user, known address');
      assert.equal(await w.inProcess(route, 'nobody-100', 'x'), route.invalid, 'the 101st is verified, not 429');
    });
  }

  it('says once, in one line with no username or password, that sign-ins come without an address', async (t) => {
    const w = await honoWorld(t, 'memory');
    if (!w) return;
    for (const route of signInRoutes) assert.equal(await w.overSocket(route, 'alice', PASSWORD), 200);
    assert.equal(w.lines.length, 0, 'a known address is nothing to warn about');
    for (const route of signInRoutes) {
      assert.equal(await w.inProcess(route, 'alice', 'wrong-secret-1'), route.invalid);
      assert.equal(await w.inProcess(route, 'bob', PASSWORD), 200);
    }
    assert.equal(w.lines.length, 1, w.lines.join('\n'));
    assert.match(w.lines[0]!, /no client address/);
    for (const secret of ['alice', 'bob', PASSWORD, 'wrong-secret-1']) assert.ok(!w.lines[0]!.includes(secret), secret);
  });

  it("Hono's clientAddress option (Bun's or Deno's getConnInfo, a trusted proxy's header) keys the counters per client", async (t) => {
    for (const route of signInRoutes) {
      const w = await usersWorld(t, 'memory', { maxConsecutiveFailures: 3, maxFailuresPerIpPerDay: 4 });
      if (!w) return;
      // Stands in for `(c) => getConnInfo(c).remote.address` on a runtime that says who is asking.
      const clientAddress = (c: import('hono').Context) => c.req.header('x-test-client');
      const app = new Hono<{ Variables: GatehouseVariables }>();
      app.get('/me', honoProtect(w.guard, { clientAddress }), (c) => c.json({ id: c.get('auth')?.id }));
      app.use(honoMountFetch(w.oauth.handle, { ip: clientAddress }));
      const from = async (address: string, username: string, password: string) =>
        (await app.request(...route.request(username, password, { 'x-test-client': address }))).status;
      for (let i = 0; i < 3; i++) assert.equal(await from('203.0.113.7', 'alice', `wrong-${i}`), route.invalid);
      assert.equal(await from('203.0.113.7', 'alice', PASSWORD), 429, `${route.name}: the guessing client is locked`);
      assert.equal(await from('198.51.100.9', 'alice', PASSWORD), 200, `${route.name}: the owner elsewhere is not`);
      assert.equal(await from('::ffff:198.51.100.9', 'alice', PASSWORD), 200);
      // The per-address budget (4 failures a day) is kept per client too.
      assert.equal(await from('203.0.113.7', 'bob', 'wrong'), route.invalid);
      assert.equal(await from('203.0.113.7', 'bob', PASSWORD), 429, `${route.name}: the budget of 4 is spent`);
      assert.equal(await from('198.51.100.9', 'bob', PASSWORD), 200);
    }
  });
});

describe('brute force through a reverse proxy: X-Forwarded-For counts only when the framework trusts it', () => {
  /** Express or Fastify over a socket, with `/me` behind Basic and the token endpoint, trusting proxies or not. */
  const frameworks: Record<
    string,
    (w: NonNullable<Awaited<ReturnType<typeof usersWorld>>>, trust: boolean) => Promise<App>
  > = {
    Express: async (w, trust) => {
      const app = express();
      if (trust) app.set('trust proxy', true);
      app.get('/me', expressProtect(w.guard), (req, res) => void res.json({ id: req.auth?.id }));
      app.use(expressMountFetch(w.oauth.handle));
      return listen(createServer(app));
    },
    Fastify: async (w, trust) => {
      const app = Fastify({ trustProxy: trust });
      await app.register(gatehousePlugin, { guard: w.guard });
      app.get('/me', { preHandler: fastifyProtect(w.guard) }, async (request) => ({ id: request.auth?.id }));
      await app.register(fastifyMountFetch, { handler: w.oauth.handle, paths: Object.values(w.oauth.paths) });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { ...(await listen(app.server)), close: () => app.close() };
    },
  };

  for (const [framework, start] of Object.entries(frameworks)) {
    for (const route of signInRoutes) {
      const send = (app: App, forwarded: string, username: string, password: string) => {
        const [path, init] = route.request(username, password, { 'x-forwarded-for': forwarded });
        return fetch(`${app.url}${path}`, init).then((r) => r.status);
      };

      it(`${framework}, ${route.name}: trusting the proxy, the lockout is keyed by the forwarded address`, async (t) => {
        const w = await usersWorld(t, 'memory', { maxConsecutiveFailures: 3 });
        if (!w) return;
        const app = await start(w, true);
        t.after(() => app.close());
        for (let i = 0; i < 3; i++) assert.equal(await send(app, '203.0.113.7', 'alice', `wrong-${i}`), route.invalid);
        assert.equal(await send(app, '203.0.113.7', 'alice', PASSWORD), 429, 'the guessing client');
        assert.equal(await send(app, '198.51.100.9', 'alice', PASSWORD), 200, 'the owner behind the same proxy');
      });

      it(`${framework}, ${route.name}: not trusting it, a forged X-Forwarded-For per guess escapes neither the lockout nor the address budget`, async (t) => {
        const w = await usersWorld(t, 'memory', { maxConsecutiveFailures: 3, maxFailuresPerIpPerDay: 5 });
        if (!w) return;
        const app = await start(w, false);
        t.after(() => app.close());
        for (let i = 0; i < 3; i++)
          assert.equal(await send(app, `203.0.113.${i}`, 'alice', `wrong-${i}`), route.invalid);
        assert.equal(await send(app, '198.51.100.9', 'alice', PASSWORD), 429, 'one socket, one client');
        for (let i = 0; i < 2; i++) assert.equal(await send(app, `192.0.2.${i}`, `user-${i}`, 'x'), route.invalid);
        assert.equal(await send(app, '192.0.2.99', 'bob', PASSWORD), 429, 'the budget of 5 is spent');
      });
    }
  }
});

describe('identical sign-ins in flight are verified once', () => {
  it('10 identical sign-ins while the first is being verified: one lookup, one hash, one counted attempt, 10 users', async (t) => {
    const store = await openStore('sqlite::memory:');
    t.after(() => store.close());
    await store.users.putUser({ username: 'alice', id: 'u-alice', passwordHash: await passwordHash, roles: [] });
    let lookups = 0;
    const users: UserStore = {
      ...store.users,
      findUserByName: (username) => {
        lookups++;
        return store.users.findUserByName(username);
      },
    };
    // Attempts that went ahead are held between their counted place and their hash: being verified.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let bothTaken!: () => void;
    const taken = new Promise<void>((resolve) => {
      bothTaken = resolve;
    });
    let verifications = 0;
    const inner = await createLoginProtection({ backend: { memory: true }, maxConsecutiveFailures: 2 });
    const loginProtection: LoginProtection = {
      ...inner,
      attempt: async (...args) => {
        const wait = await inner.attempt(...args);
        if (wait === undefined) {
          if (++verifications === 2) bothTaken();
          await held;
        }
        return wait;
      },
    };
    const signIn = createSignIn({ users, loginProtection });
    const results = Array.from({ length: 10 }, () => signIn.verify('alice', PASSWORD, '192.0.2.1'));
    // A wrong password meanwhile is its own attempt (the second of two places).
    const wrongOne = signIn.verify('alice', 'wrong', '192.0.2.1');
    await taken;
    const busy = (await signIn.verify('alice', 'another-wrong', '192.0.2.1')) as { reason: string };
    assert.equal(busy.reason, 'rate_limited', 'both places taken: by one flight of ten, and the wrong one');
    release();
    assert.deepStrictEqual(
      (await Promise.all(results)).map((r) => (r as { id?: string }).id),
      Array(10).fill('u-alice'),
    );
    assert.equal(((await wrongOne) as { reason: string }).reason, 'credentials_invalid');
    assert.equal(verifications, 2, 'one verification for the ten, one for the wrong password');
    assert.equal(lookups, 3, 'one lookup for the ten, one for each other sign-in');
  });
});

describe("Gatehouse's client and a lockout: one account's refusal, not the API's", () => {
  it('a 429 locked_out for alice is a LockedOutError for that call, not retried, and delays no other call of the client', async (t) => {
    const w = await world(t, entries[0]!, { maxConsecutiveFailures: 3 });
    if (!w) return;
    for (let i = 0; i < 3; i++)
      assert.equal((await entries[0]!.attempt(w.urls[0]!, 'alice', `wrong-${i}`)).status, 401);
    const client = createClient({ baseUrl: w.urls[0]!, timeout: { total: 10_000 } });
    const as = (username: string) => ({ headers: { authorization: basicHeader(username, PASSWORD) } });
    let started = performance.now();
    const error = await client.fetch('/me', as('alice')).then(
      () => assert.fail('alice is locked out'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof LockedOutError, String(error));
    assert.ok(error instanceof RateLimitedError, 'still a RateLimitedError for code that catches those');
    assert.equal(error.code, 'ERR_GATEHOUSE_LOCKED_OUT');
    assert.equal(error.reason, 'locked_out');
    assert.equal(error.attempts, 1, 'a lockout is not retried');
    assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 50_000, String(error.retryAfterMs));
    assert.ok(performance.now() - started < 2000, 'answered at once, not after waiting out Retry-After');
    // Another user, on the same route and on another one: no origin cooldown, no wait.
    started = performance.now();
    assert.equal((await client.fetch('/me', as('known-0'))).status, 200);
    assert.equal((await client.fetch('/elsewhere', as('known-1'))).status, 200);
    assert.ok(performance.now() - started < 2000, `${Math.round(performance.now() - started)} ms`);
  });
});

describe('a client past its daily budget writes nothing more (Postgres counters)', () => {
  it('200 refused attempts with 200 new usernames add no counter row', async (t) => {
    const opened = await counterBackends.postgres!(t);
    if (!opened || !('postgres' in opened.backend)) return;
    t.after(() => opened.done());
    const pool = opened.backend.postgres;
    const store = await openStore('sqlite::memory:');
    t.after(() => store.close());
    const loginProtection = await createLoginProtection({
      backend: opened.backend,
      prefix: opened.prefix,
      maxFailuresPerIpPerDay: 5,
    });
    const signIn = createSignIn({ users: store.users, loginProtection });
    const rows = async () =>
      Number((await pool.query('SELECT count(*) AS n FROM gatehouse_rate_limits')).rows[0]?.n as string);
    for (let i = 0; i < 5; i++)
      assert.equal(
        ((await signIn.verify(`spray-${i}`, 'guess', '192.0.2.7')) as { reason: string }).reason,
        'credentials_invalid',
      );
    const before = await rows();
    for (let i = 0; i < 200; i++) {
      const refused = (await signIn.verify(`fresh-${i}`, 'guess', '192.0.2.7')) as { reason: string };
      assert.equal(refused.reason, 'locked_out');
    }
    assert.equal(await rows(), before, 'no row per username named after the budget was spent');
  });
});

/**
 * A store that fails while a password is being checked is the server's failure, not the client's:
 * the attempt it interrupted must not keep a place, or a short outage would leave the account
 * answering "busy" (429) until the lockout window ends, long after the store is back.
 */
describe('a store failure during sign-in leaves no place taken', () => {
  it('after five sign-ins interrupted by a closed SQLite user store, the right password is accepted at once', async () => {
    const { openStore, createSignIn, createLoginProtection, hashPassword } = await import('../../src/server/index.ts');
    const dir = mkdtempSync(join(tmpdir(), 'gh-signin-outage-'));
    const file = join(dir, 'users.db');
    const seeded = await openStore(`sqlite:${file}`);
    await seeded.users.putUser({
      username: 'alice',
      id: 'u-alice',
      passwordHash: await hashPassword('alice-password'),
      scopes: [],
      roles: [],
    });
    await seeded.close();
    // The sign-in reads users through whichever real store is current: first a closed one.
    const down = await openStore(`sqlite:${file}`);
    await down.close();
    let current = down;
    const signIn = createSignIn({
      users: { findUserByName: (name: string) => current.users.findUserByName(name) },
      loginProtection: await createLoginProtection({ backend: { memory: true }, maxConsecutiveFailures: 5 }),
    });
    for (let i = 0; i < 5; i++)
      await assert.rejects(async () => signIn.verify('alice', 'alice-password', '10.0.0.1'), 'the closed store fails');
    const up = await openStore(`sqlite:${file}`);
    current = up;
    try {
      const result = await signIn.verify('alice', 'alice-password', '10.0.0.1');
      assert.equal((result as { id?: string }).id, 'u-alice', JSON.stringify(result));
    } finally {
      await up.close();
    }
  });
});

describe('brute force against a second factor (step-up at the authorize endpoint)', () => {
  const CODE = '135791';
  const stepUpSignIn = (url: string, otp: string) =>
    authorizePost(url, authorizationParams({ acr_values: 'mfa' }).params, {
      username: 'alice',
      password: 'alice-password-1',
      otp,
      decision: 'allow',
    });

  it('one who knows the password cannot guess the one-time code: wrong codes count as failed sign-ins and lock', async () => {
    const w = await codeWorld({
      loginProtection: await createLoginProtection({ backend: { memory: true }, maxConsecutiveFailures: 5 }),
      authorize: { secondFactor: { verify: (_user, code) => code === CODE } },
    });
    try {
      const answers: number[] = [];
      for (let guess = 0; guess < 7; guess++) {
        const answer = await stepUpSignIn(w.url, String(100_000 + guess));
        answers.push(answer.status);
        const page = await answer.text();
        // The answer does not confirm the password: it is the same for any wrong part.
        if (answer.status === 200) assert.match(page, /username, password or one-time code is wrong/);
      }
      assert.deepEqual(answers.slice(0, 5), [200, 200, 200, 200, 200]);
      assert.equal(answers[6], 429, 'locked out after five wrong codes');
      // Locked out, the right code does not get through either.
      assert.equal((await stepUpSignIn(w.url, CODE)).status, 429);
    } finally {
      await w.close();
    }
  });

  it('a sign-in with the password alone (no step-up asked) does not clear the wrong codes: they still lock', async () => {
    const w = await codeWorld({
      loginProtection: await createLoginProtection({ backend: { memory: true }, maxConsecutiveFailures: 5 }),
      authorize: { secondFactor: { verify: (_user, code) => code === CODE } },
    });
    try {
      const passwordOnly = () =>
        authorizePost(w.url, authorizationParams().params, {
          username: 'alice',
          password: 'alice-password-1',
          decision: 'allow',
        });
      const answers: number[] = [];
      // Four guesses, then the password alone, which the attacker knows, to wipe the slate: repeated.
      for (let round = 0; round < 4; round++) {
        for (let guess = 0; guess < 4; guess++)
          answers.push((await stepUpSignIn(w.url, String(100_000 + round * 4 + guess))).status);
        await (await passwordOnly()).body?.cancel();
      }
      assert.ok(answers.includes(429), `16 wrong codes and never locked out: ${answers.join(' ')}`);
      assert.equal((await stepUpSignIn(w.url, CODE)).status, 429, 'the right code after the guesses is locked out too');
    } finally {
      await w.close();
    }
  });

  it('an account locked for wrong passwords is locked for the step-up sign-in too', async () => {
    const w = await codeWorld({
      loginProtection: await createLoginProtection({ backend: { memory: true }, maxConsecutiveFailures: 5 }),
      authorize: { secondFactor: { verify: (_user, code) => code === CODE } },
    });
    try {
      for (let guess = 0; guess < 5; guess++)
        await (
          await authorizePost(w.url, authorizationParams().params, {
            username: 'alice',
            password: `wrong-${guess}`,
            decision: 'allow',
          })
        ).body?.cancel();
      assert.equal((await stepUpSignIn(w.url, CODE)).status, 429, 'the step-up sign-in went around the lockout');
    } finally {
      await w.close();
    }
  });
});
