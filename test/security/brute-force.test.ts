/**
 * Brute force: guessing passwords through every entry point that checks one — Basic on the guard,
 * the OAuth password grant, the playground's session login — in parallel bursts, one by one,
 * by timing, and from both spellings of one client address. Every attack must fail: at most the
 * limit of guesses is ever verified, an unknown user cannot be told from a wrong password, and a
 * client cannot double its budget by switching between `127.0.0.1` and `::ffff:127.0.0.1`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { serve } from '@hono/node-server';
import { protect, serveFetch } from '../../src/adapters/node.ts';
import { createPlayground } from '../../src/playground/app.ts';
import {
  basicScheme,
  createAuthorizationServer,
  createGuard,
  createLoginProtection,
  createTokenService,
  type GatehouseStore,
  hashPassword,
  type LoginProtection,
  openStore,
  type UserStore,
} from '../../src/server/index.ts';
import { counterBackends } from '../support/counter-backends.ts';

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
  /** The store's users, counting lookups: one lookup, one password hash (real or dummy). */
  users: UserStore;
  loginProtection: LoginProtection;
}

interface Entry {
  name: string;
  /** The status of a wrong password. */
  invalid: number;
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

function listenNode(server: Server, host: string): Promise<Listening> {
  const seen = new Set<string>();
  server.on('connection', (socket) => seen.add(socket.remoteAddress ?? '?'));
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: async () => {
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
        },
      });
    });
  });
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
    listen: ({ store, users, loginProtection }, host) => {
      const service = createTokenService({ store, issuer: 'https://auth.test' });
      const oauth = createAuthorizationServer({ service, users, clients: store.clients, loginProtection });
      return listenNode(createServer(serveFetch(oauth.handle)), host);
    },
    attempt: async (url, username, password) =>
      answerOf(await form(`${url}/oauth/token`, { grant_type: 'password', client_id: 'web', username, password })),
  },
  {
    name: "the playground's session login",
    invalid: 401,
    listen: ({ store, users, loginProtection }, host) => {
      const service = createTokenService({ store, issuer: 'https://playground.test' });
      const app = createPlayground({
        store: { ...store, users },
        service,
        loginProtection,
        otherOrigin: () => undefined,
      });
      const seen = new Set<string>();
      return new Promise((resolve) => {
        const server = serve({ fetch: app.fetch, port: 0, hostname: host }, (info) =>
          resolve({
            url: `http://127.0.0.1:${info.port}`,
            seen,
            close: async () => {
              (server as Server).closeAllConnections();
              await new Promise((r) => server.close(r));
            },
          }),
        ) as Server;
        server.on('connection', (socket) => seen.add(socket.remoteAddress ?? '?'));
      });
    },
    attempt: async (url, username, password) => answerOf(await form(`${url}/session/login`, { username, password })),
  },
];

interface World {
  store: GatehouseStore;
  urls: string[];
  servers: Listening[];
  /** How many passwords were verified (one user lookup each). */
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
  let lookups = 0;
  const users: UserStore = {
    ...store.users,
    findUserByName: (username) => {
      lookups++;
      return store.users.findUserByName(username);
    },
  };
  const loginProtection = await createLoginProtection({
    backend: opened.backend,
    prefix: opened.prefix,
    maxConsecutiveFailures: options.maxConsecutiveFailures ?? 5,
    lockoutSeconds: 60,
    maxFailuresPerIpPerDay: options.maxFailuresPerIpPerDay ?? 100,
  });
  const servers: Listening[] = [];
  for (const host of options.hosts ?? ['127.0.0.1']) {
    const listening = await entry.listen({ store, users, loginProtection }, host);
    t.after(() => listening.close());
    servers.push(listening);
  }
  return { store, urls: servers.map((s) => s.url), servers, verified: () => lookups };
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
          assert.equal(JSON.parse(answer.body).code, 'locked_out');
          assert.ok(Number(answer.retryAfter) > 0 && Number(answer.retryAfter) <= 60, String(answer.retryAfter));
        }
        // Locked out, even the right password is not verified.
        const before = w.verified();
        assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, 429);
        assert.equal(w.verified(), before, 'no hash is spent on a locked-out attempt');
      });
    }

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

    it("switching the username's case or Unicode form does not buy more guesses", async (t) => {
      const w = await world(t, entry, { maxConsecutiveFailures: 3 });
      if (!w) return;
      for (const username of ['alice', 'ALICE', 'Alice'])
        assert.equal((await entry.attempt(w.urls[0]!, username, 'wrong')).status, entry.invalid);
      assert.equal((await entry.attempt(w.urls[0]!, 'aLiCe', 'wrong')).status, 429);
      assert.equal((await entry.attempt(w.urls[0]!, 'alice', PASSWORD)).status, 429);
      // NFC and NFD spellings of one name share a count too.
      for (const username of ['jos\u00e9', 'jose\u0301', 'JOS\u00c9'])
        assert.equal((await entry.attempt(w.urls[0]!, username, 'wrong')).status, entry.invalid);
      assert.equal((await entry.attempt(w.urls[0]!, 'jose\u0301', 'wrong')).status, 429);
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
