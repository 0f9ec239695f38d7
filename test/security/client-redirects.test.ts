/**
 * Attacks on credentials that follow a redirect: a server (or whoever controls a Location) sends
 * the client to another origin, or from https down to http, hoping the credentials come along.
 * Two real loopback origins (two servers on different ports) count what reached them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as undici from 'undici';
import {
  apiKey,
  bearer,
  CREDENTIAL_HEADERS,
  CrossOriginCredentialsError,
  createClient,
  RedirectSecretError,
} from '../../src/client/index.ts';
import { diagnose } from '../../src/doctor/index.ts';
import * as root from '../../src/http/index.ts';
import { selfSignedCertificate } from '../support/self-signed.ts';
import { json, serverPerTest, type TestServer } from '../support/server.ts';

const serve = serverPerTest();

/** Every credential-bearing header a caller may set in the client's `headers`, with a value. */
const CREDENTIALS: Record<string, string> = {
  'x-api-key': 'redirect-secret-x-api-key',
  'api-key': 'redirect-secret-api-key',
  'x-auth-token': 'redirect-secret-x-auth-token',
  'x-access-token': 'redirect-secret-x-access-token',
  'x-csrf-token': 'redirect-secret-x-csrf-token',
  'proxy-authorization': 'Basic cmVkaXJlY3Q6c2VjcmV0',
  cookie: 'sid=redirect-secret-cookie',
};

/** The other origin: reports every header it received. */
const otherOrigin = () => serve((req, res) => json(res, 200, { headers: req.headers }));
/** The starting origin: redirects every request to `target`. */
const redirecting = (target: () => string, status = 302) =>
  serve((_req, res) => {
    res.writeHead(status, { location: target() });
    res.end();
  });

function leaked(received: TestServer): string[] {
  const values = received.received.flatMap((r) => Object.values(r.headers).flat());
  return Object.values(CREDENTIALS).filter((secret) => values.some((v) => String(v).includes(secret)));
}

describe('credentials and redirects to another origin', () => {
  it('exports one list of credential-bearing header names from the package root', () => {
    assert.equal(root.CREDENTIAL_HEADERS, CREDENTIAL_HEADERS);
    for (const name of [...Object.keys(CREDENTIALS), 'authorization'])
      assert.ok(CREDENTIAL_HEADERS.includes(name), `${name} is in the list`);
    assert.ok(root.isCredentialHeader('X-API-Key'), 'case-insensitive');
    assert.ok(!root.isCredentialHeader('idempotency-key'), 'an idempotency key is not a credential');
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`drops every credential header set in the client's headers on a ${status} to another origin`, async () => {
      const other = await otherOrigin();
      const start = await redirecting(() => `${other.url}landing`, status);
      const events: string[][] = [];
      const client = createClient({ headers: CREDENTIALS, onRedirect: (e) => events.push(e.dropped) });
      const answer = await client.get(`${start.url}go`);
      assert.equal(answer.status, 200);
      assert.deepStrictEqual(leaked(other), [], 'nothing secret reached the other origin');
      assert.equal(other.received.length, 1);
      assert.equal(other.received[0]!.headers['x-trace'], undefined);
      assert.deepStrictEqual(events[0]!.sort(), Object.keys(CREDENTIALS).sort());
      assert.deepStrictEqual(leaked(start).sort(), Object.values(CREDENTIALS).sort(), 'the first origin got them all');
    });
  }

  it("drops an apiKey() strategy's header and a per-call X-Auth-Token, and keeps harmless headers", async () => {
    const other = await otherOrigin();
    const start = await redirecting(() => `${other.url}landing`);
    const client = createClient({ auth: apiKey({ header: 'X-API-Key' }, CREDENTIALS['x-api-key']!) });
    await client.get(`${start.url}go`, {
      headers: { 'x-auth-token': CREDENTIALS['x-auth-token']!, 'x-trace': 'trace-1' },
    });
    assert.deepStrictEqual(leaked(other), []);
    assert.equal(other.received[0]!.headers['x-trace'], 'trace-1', 'a harmless header still follows');
  });

  it("applies only the strategy's credentials at a trusted origin: headers set by hand never follow", async () => {
    const third = await otherOrigin();
    const trusted = await serve((req, res) => {
      if (req.url === '/hop') {
        res.writeHead(302, { location: `${third.url}end` });
        res.end();
        return;
      }
      json(res, 200, {});
    });
    const start = await redirecting(() => `${trusted.url}hop`);
    const key = 'redirect-secret-strategy-key';
    const client = createClient({
      auth: apiKey({ header: 'X-Auth-Token' }, key),
      headers: CREDENTIALS,
      redirect: { trustedOrigins: [trusted.origin] },
    });
    await client.get(`${start.url}go`);
    assert.equal(trusted.received[0]!.headers['x-auth-token'], key, 'the strategy applies at the trusted origin');
    assert.deepStrictEqual(leaked(trusted), [], 'headers set by hand did not follow');
    assert.equal(third.received[0]!.headers['x-auth-token'], undefined, 'nor anything to the origin after it');
    assert.deepStrictEqual(leaked(third), []);
  });

  it('a back-and-forth through another origin does not bring them back', async () => {
    let startUrl = '';
    const other = await serve((_req, res) => {
      res.writeHead(302, { location: `${startUrl}back` });
      res.end();
    });
    const start = await serve((req, res) => {
      if (req.url === '/go') {
        res.writeHead(302, { location: `${other.url}away` });
        res.end();
        return;
      }
      json(res, 200, {});
    });
    startUrl = start.url;
    await createClient({ headers: CREDENTIALS }).get(`${start.url}go`);
    assert.deepStrictEqual(leaked(other), []);
    assert.equal(start.received.length, 2);
    assert.deepStrictEqual(
      Object.values(CREDENTIALS).filter((v) => Object.values(start.received[1]!.headers).includes(v)),
      [],
      'headers dropped on the way out stay dropped (the strategy alone applies credentials again)',
    );
  });

  it('the doctor counts the same headers as credentials and does not carry them to another origin', async () => {
    const other = await otherOrigin();
    const start = await redirecting(() => `${other.url}landing`);
    const report = await diagnose({
      url: `${start.url}go`,
      headers: [['X-Access-Token', CREDENTIALS['x-access-token']!]],
      timeoutMs: 3000,
    });
    assert.ok(report.exchanges.some((e) => e.probe === 'redirect'));
    assert.deepStrictEqual(leaked(other), []);
    const shown = JSON.stringify(report);
    assert.ok(!shown.includes(CREDENTIALS['x-access-token']!), 'and masks it in the report');
  });
});

describe('redirects from https down to http', () => {
  it("drop every credential header, and the strategy's, even to an http origin listed as trusted", async () => {
    const { cert, key } = selfSignedCertificate();
    const worker = join(import.meta.dirname, '../support/https-downgrade-worker.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [worker, cert, key, JSON.stringify(CREDENTIALS)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      timeout: 20_000,
    });
    const { direct, redirected, trustedRedirected } = JSON.parse(stdout);
    assert.equal(direct.authorization, 'Bearer token-for-https-only');
    for (const [name, value] of Object.entries(CREDENTIALS)) assert.equal(direct.headers[name], value);
    for (const answer of [redirected, trustedRedirected]) {
      assert.equal(answer.authorization, null);
      for (const name of Object.keys(CREDENTIALS)) assert.equal(answer.headers[name], undefined, name);
    }
  });
});

/** A secret of the client, long enough that every form of it is recognisable. */
const QUERY_KEY = 'gh_secretkey0001_SUPERSECRETSUPERSECRET';
const TOKEN = 'secret-access-token-for-the-api-origin';

/** Every place in a request the other origin received where a secret may sit: target, headers. */
function reached(server: TestServer, secret: string): boolean {
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
  return server.received.some((r) =>
    forms.some(
      (f) =>
        r.url.includes(f) ||
        Object.values(r.headers)
          .flat()
          .some((v) => String(v).includes(f)),
    ),
  );
}

describe("the client's secrets in a redirect's Location (adversary finding 4)", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`drops a query-string API key that a ${status} to another origin keeps in the query (nginx $request_uri)`, async () => {
      const other = await otherOrigin();
      // "Moved to the new host": path and query kept, as nginx `return 308 https://new$request_uri;` does.
      const start = await serve((req, res) => {
        res.writeHead(status, { location: `${other.origin}${req.url}` });
        res.end();
      });
      const events: Array<{ dropped: string[]; to: string; credentialsAllowed: boolean }> = [];
      const client = createClient({
        baseUrl: `${start.url}v1/`,
        auth: apiKey({ query: 'api_key' }, QUERY_KEY),
        onRedirect: (e) => events.push(e),
      });
      const answer = await client.get('reports?page=2');
      assert.equal(answer.status, 200);
      assert.equal(start.received[0]!.url, `/v1/reports?page=2&api_key=${QUERY_KEY}`, 'the API origin got the key');
      assert.equal(other.received.length, 1);
      assert.equal(other.received[0]!.url, '/v1/reports?page=2', 'the other origin got the path and harmless query');
      assert.ok(!reached(other, QUERY_KEY));
      assert.deepStrictEqual(events[0]!.dropped, ['?api_key']);
      assert.equal(events[0]!.credentialsAllowed, false);
      assert.ok(!events[0]!.to.includes(QUERY_KEY));
    });
  }

  it('drops any query parameter whose value is a secret the client sent, under any name and encoding', async () => {
    const other = await otherOrigin();
    const basicPair = Buffer.from('alice:correct-horse-battery').toString('base64');
    const start = await serve((_req, res) => {
      const query = new URLSearchParams({
        access_token: TOKEN,
        continue_with: TOKEN,
        b: basicPair,
        key: 'x-api-key-value-set-by-hand',
        page: '3',
      });
      res.writeHead(302, { location: `${other.origin}/landing?${query}` });
      res.end();
    });
    const events: string[][] = [];
    const client = createClient({
      auth: bearer(TOKEN),
      headers: { 'x-api-key': 'x-api-key-value-set-by-hand', 'proxy-authorization': `Basic ${basicPair}` },
      onRedirect: (e) => events.push(e.dropped),
    });
    await client.get(`${start.url}go`);
    assert.equal(other.received[0]!.url, '/landing?page=3');
    for (const secret of [TOKEN, basicPair, 'x-api-key-value-set-by-hand']) assert.ok(!reached(other, secret), secret);
    assert.deepStrictEqual(events[0]!.filter((d) => d.startsWith('?')).sort(), [
      '?access_token',
      '?b',
      '?continue_with',
      '?key',
    ]);
  });

  it('keeps the query key on a redirect within the origin, and applies it at a trusted origin', async () => {
    const trusted = await otherOrigin();
    const start = await serve((req, res) => {
      if (req.url!.startsWith('/a')) res.writeHead(308, { location: `/b${req.url!.slice(2)}` });
      else if (req.url!.startsWith('/b')) res.writeHead(308, { location: `${trusted.origin}/c` });
      res.end();
    });
    const client = createClient({
      auth: apiKey({ query: 'api_key' }, QUERY_KEY),
      redirect: { trustedOrigins: [trusted.origin] },
    });
    await client.get(`${start.url}a`);
    assert.deepStrictEqual(
      start.received.map((r) => r.url),
      [`/a?api_key=${QUERY_KEY}`, `/b?api_key=${QUERY_KEY}`],
    );
    assert.equal(trusted.received[0]!.url, `/c?api_key=${QUERY_KEY}`, 'the strategy applies it at a trusted origin');
  });

  for (const [where, location] of [
    ['the path', (o: string) => `${o}/keys/${QUERY_KEY}/x`],
    ['the path, percent-encoded', (o: string) => `${o}/keys/${QUERY_KEY.replace(/S/g, '%53')}`],
    ['the fragment', (o: string) => `${o}/landing#${QUERY_KEY}`],
    ['the userinfo', (o: string) => o.replace('//', `//u:${QUERY_KEY}@`)],
    ['a longer query value', (o: string) => `${o}/landing?next=${encodeURIComponent(`/x?api_key=${QUERY_KEY}`)}`],
  ] as const) {
    it(`refuses, with a typed error, a redirect to another origin that carries the key in ${where}`, async () => {
      const other = await otherOrigin();
      const start = await serve((_req, res) => {
        res.writeHead(302, { location: location(other.origin) });
        res.end();
      });
      const client = createClient({ auth: apiKey({ query: 'api_key' }, QUERY_KEY) });
      const error = await client.get(`${start.url}go`).then(
        () => assert.fail('followed'),
        (e: unknown) => e as RedirectSecretError,
      );
      assert.ok(error instanceof RedirectSecretError, String(error));
      assert.equal(error.code, 'ERR_GATEHOUSE_REDIRECT_SECRET');
      assert.equal(error.status, 302);
      for (const shown of [error.message, error.stack ?? '', error.to, error.from, JSON.stringify(error)])
        assert.ok(!shown.includes(QUERY_KEY) && !shown.includes('SUPERSECRET'), shown);
      assert.equal(other.received.length, 0, 'the other origin received nothing');
    });
  }

  it('refuses a Location that carries a Bearer token in the path', async () => {
    const other = await otherOrigin();
    const start = await redirecting(() => `${other.origin}/t/${TOKEN}`, 307);
    const error = await createClient({ auth: bearer(TOKEN) })
      .get(`${start.url}go`)
      .catch((e: unknown) => e as RedirectSecretError);
    assert.equal((error as RedirectSecretError).code, 'ERR_GATEHOUSE_REDIRECT_SECRET');
    assert.equal(other.received.length, 0);
  });
});

describe('credentials stay with the baseUrl origin on calls that name another (adversary finding 11)', () => {
  /** The API: its answers name a next page on `next()`'s origin. */
  const paginated = (next: () => string) => serve((_req, res) => json(res, 200, { items: [], next: next() }));

  it('refuses by default, before sending anything, a call to another origin from a client with credentials', async () => {
    const other = await otherOrigin();
    const api = await paginated(() => `${other.origin}/page2`);
    for (const options of [
      { auth: bearer(TOKEN) },
      { auth: apiKey({ query: 'api_key' }, QUERY_KEY) },
      { headers: { 'X-API-Key': 'x-api-key-value-set-by-hand' } },
    ]) {
      const client = createClient({ baseUrl: `${api.url}v1/`, ...options });
      const { next } = (await (await client.get('items')).json()) as { next: string };
      const error = await client.get(next).catch((e: unknown) => e as CrossOriginCredentialsError);
      assert.ok(error instanceof CrossOriginCredentialsError, String(error));
      assert.equal(error.code, 'ERR_GATEHOUSE_CROSS_ORIGIN_CREDENTIALS');
      assert.equal(error.origin, other.origin);
      assert.deepStrictEqual(error.allowed, [api.origin]);
      assert.match(error.message, /otherOrigins: 'omit'/);
      assert.match(error.message, /redirect\.trustedOrigins/);
    }
    assert.equal(other.received.length, 0, 'the other origin received nothing');
    assert.equal(api.received.length, 3);
  });

  it("with otherOrigins: 'omit' (per client or per call), sends the call without any credential", async () => {
    const other = await otherOrigin();
    const api = await paginated(() => `${other.origin}/page2?page=2`);
    const headers = { 'x-api-key': 'x-api-key-value-set-by-hand', 'x-trace': 'trace-1' };
    const perClient = createClient({ baseUrl: api.url, auth: bearer(TOKEN), headers, otherOrigins: 'omit' });
    const perCall = createClient({ baseUrl: api.url, auth: apiKey({ query: 'api_key' }, QUERY_KEY), headers });
    for (const [client, init] of [
      [perClient, {}],
      [perCall, { otherOrigins: 'omit' as const }],
    ] as const) {
      const { next } = (await (await client.get('items')).json()) as { next: string };
      assert.equal((await client.get(next, init)).status, 200);
    }
    assert.equal(other.received.length, 2);
    for (const secret of [TOKEN, QUERY_KEY, 'x-api-key-value-set-by-hand']) assert.ok(!reached(other, secret), secret);
    assert.deepStrictEqual(
      other.received.map((r) => [r.url, r.headers['x-trace'], r.headers.authorization]),
      [
        ['/page2?page=2', 'trace-1', undefined],
        ['/page2?page=2', 'trace-1', undefined],
      ],
    );
    assert.ok(reached(api, TOKEN) && reached(api, QUERY_KEY), 'the API origin still gets them');
  });

  it('a header the call itself sets goes with it: only what the client adds is withheld', async () => {
    const other = await otherOrigin();
    const client = createClient({ baseUrl: 'http://127.0.0.1:9/', auth: bearer(TOKEN), otherOrigins: 'omit' });
    await client.get(`${other.url}x`, { headers: { 'x-api-key': 'meant-for-this-call-only' } });
    assert.equal(other.received[0]!.headers['x-api-key'], 'meant-for-this-call-only');
    assert.ok(!reached(other, TOKEN));
  });

  it('applies the credentials at an origin listed in redirect.trustedOrigins', async () => {
    const trusted = await otherOrigin();
    const client = createClient({
      baseUrl: 'http://127.0.0.1:9/',
      auth: bearer(TOKEN),
      headers: { 'x-api-key': 'x-api-key-value-set-by-hand' },
      redirect: { trustedOrigins: [trusted.origin] },
    });
    await client.get(`${trusted.url}x`);
    assert.equal(trusted.received[0]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(trusted.received[0]!.headers['x-api-key'], 'x-api-key-value-set-by-hand');
  });

  it('127.0.0.1 and localhost on the same port are two origins', async () => {
    const api = await otherOrigin();
    const client = createClient({ baseUrl: api.url, auth: bearer(TOKEN) });
    const error = await client
      .get(`http://localhost:${api.port}/x`)
      .catch((e: unknown) => e as CrossOriginCredentialsError);
    assert.equal((error as CrossOriginCredentialsError).code, 'ERR_GATEHOUSE_CROSS_ORIGIN_CREDENTIALS');
    assert.equal(api.received.length, 0);
  });

  it("a redirect from the other origin to a third keeps nothing (the call's origin stays the baseUrl's)", async () => {
    const third = await otherOrigin();
    const other = await redirecting(() => `${third.url}end`);
    const client = createClient({ baseUrl: 'http://127.0.0.1:9/', auth: bearer(TOKEN), otherOrigins: 'omit' });
    await client.get(`${other.url}go`);
    assert.ok(!reached(other, TOKEN) && !reached(third, TOKEN));
  });

  it('without baseUrl, the first URL of a call is its origin (the behaviour documented for such clients)', async () => {
    const first = await redirecting(() => `${second.url}end`);
    const second = await otherOrigin();
    await createClient({ auth: bearer(TOKEN) }).get(`${first.url}go`);
    assert.equal(first.received[0]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.ok(!reached(second, TOKEN));
  });

  it('a client without credentials calls any origin', async () => {
    const other = await otherOrigin();
    const client = createClient({ baseUrl: 'http://127.0.0.1:9/', headers: { 'x-trace': 't' } });
    assert.equal((await client.get(`${other.url}x`)).status, 200);
  });
});

describe('a call sent without credentials stays without them', () => {
  it('an origin the call was sent to without credentials cannot redirect it back to the API to get them', async () => {
    let apiUrl = '';
    const other = await redirecting(() => `${apiUrl}admin/delete-everything`, 307);
    const api = await otherOrigin();
    apiUrl = api.url;
    const client = createClient({ baseUrl: api.url, auth: bearer(TOKEN), otherOrigins: 'omit' });
    await client.post(`${other.url}go`, { body: 'x' });
    assert.equal(api.received.length, 1, 'the redirect was followed');
    assert.equal(api.received[0]!.headers.authorization, undefined, 'but with no credentials');
  });
});

describe('a query-string key on a redirect from https down to http', () => {
  it('is dropped, even when the http origin is trusted', async () => {
    const { cert, key } = selfSignedCertificate();
    const plain = await otherOrigin();
    const secure = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
      res.writeHead(302, { location: `${plain.origin}${req.url}` });
      res.end();
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const secureOrigin = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
    const dispatcher = new undici.Agent({ connect: { ca: readFileSync(cert) } });
    try {
      const events: string[][] = [];
      const client = createClient({
        baseUrl: secureOrigin,
        auth: apiKey({ query: 'api_key' }, QUERY_KEY),
        redirect: { trustedOrigins: [plain.origin] },
        fetch: (url, init) =>
          undici.fetch(url as string, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
        onRedirect: (e) => events.push(e.dropped),
      });
      assert.equal((await client.get('go?x=1')).status, 200);
      assert.equal(plain.received[0]!.url, '/go?x=1');
      assert.ok(!reached(plain, QUERY_KEY));
      assert.deepStrictEqual(events, [['?api_key']]);
    } finally {
      secure.closeAllConnections();
      await new Promise<void>((resolve) => secure.close(() => resolve()));
      await dispatcher.close();
    }
  });
});

describe('a relative URL that spells another origin (beyond the list)', () => {
  // The URL parser reads a backslash as a slash and drops leading spaces, tabs and newlines, so
  // these "paths" (say, taken from an API answer) are network-path references to another host.
  for (const spelling of ['\\\\', '\\/', '/\\\\', ' //', '\t//', '\n//', '\\\\\t']) {
    it(`${JSON.stringify(`${spelling}host:port/x`)} under a baseUrl is refused, and never sent`, async () => {
      const other = await otherOrigin();
      const api = await otherOrigin();
      const client = createClient({ baseUrl: `${api.url}v1/`, auth: bearer(TOKEN), otherOrigins: 'omit' });
      const error = await client.get(`${spelling}localhost:${other.port}/x`).then(
        () => assert.fail('sent'),
        (e: unknown) => e as TypeError & { code: string },
      );
      assert.equal(error.code, 'ERR_GATEHOUSE_INVALID_ARGUMENT');
      assert.match(error.message, /outside the baseUrl origin/);
      assert.equal(other.received.length + api.received.length, 0);
      const plain = createClient({ baseUrl: `${api.url}v1/` });
      await assert.rejects(plain.get(`${spelling}localhost:${other.port}/x`), {
        code: 'ERR_GATEHOUSE_INVALID_ARGUMENT',
      });
      assert.equal(other.received.length, 0, 'not even from a client without credentials');
    });
  }

  it('a path that only looks odd stays under the baseUrl', async () => {
    const api = await otherOrigin();
    const client = createClient({ baseUrl: `${api.url}v1/`, auth: bearer(TOKEN) });
    await client.get('//items');
    await client.get('%2F%2Flocalhost/x');
    assert.deepStrictEqual(
      api.received.map((r) => r.url),
      ['/v1/items', '/v1/%2F%2Flocalhost/x'],
    );
  });
});

describe('more places a Location may carry a secret', () => {
  it('refuses a Location whose host name spells the key (host names are lower-cased: a DNS query would carry it)', async () => {
    const start = await redirecting(() => `http://${QUERY_KEY}.localhost:9/`);
    const error = (await createClient({ auth: apiKey({ query: 'api_key' }, QUERY_KEY) })
      .get(`${start.url}go`)
      .catch((e: unknown) => e)) as RedirectSecretError;
    assert.equal(error.code, 'ERR_GATEHOUSE_REDIRECT_SECRET');
    assert.ok(!error.message.toLowerCase().includes(QUERY_KEY.toLowerCase()), error.message);
    assert.ok(!error.to.toLowerCase().includes('supersecret'), error.to);
  });

  it('refuses a Location carrying the key base64url-encoded in the path, or as a query parameter name', async () => {
    const other = await otherOrigin();
    const spellings = [
      `${other.origin}/${Buffer.from(QUERY_KEY).toString('base64url')}`,
      `${other.origin}/x?${QUERY_KEY}=1`,
    ];
    let i = 0;
    const start = await redirecting(() => spellings[i++]!);
    const client = createClient({ auth: apiKey({ query: 'api_key' }, QUERY_KEY) });
    for (const _ of spellings)
      await assert.rejects(client.get(`${start.url}go`), { code: 'ERR_GATEHOUSE_REDIRECT_SECRET' });
    assert.equal(other.received.length, 0);
  });

  it('a Request naming another origin is held to the same rule as a URL', async () => {
    const other = await otherOrigin();
    const client = createClient({ baseUrl: 'http://127.0.0.1:9/', auth: bearer(TOKEN) });
    await assert.rejects(client.fetch(new Request(`${other.url}x`)), {
      code: 'ERR_GATEHOUSE_CROSS_ORIGIN_CREDENTIALS',
    });
    const omitted = await client.fetch(new Request(`${other.url}x`, { headers: { 'x-per-call': '1' } }), {
      otherOrigins: 'omit',
    });
    assert.equal(omitted.status, 200);
    assert.equal(other.received.length, 1);
    assert.ok(!reached(other, TOKEN));
  });
});

describe('a call sent without credentials says so when it is refused', () => {
  it("a 401 from the other origin names why no credentials went (otherOrigins: 'omit')", async () => {
    const other = await serve((_req, res) => json(res, 401, { title: 'no' }, { 'www-authenticate': 'Bearer' }));
    const client = createClient({ baseUrl: 'http://127.0.0.1:9/', auth: bearer(TOKEN), otherOrigins: 'omit' });
    await assert.rejects(client.get(`${other.url}x`), (error: Error & { code: string }) => {
      assert.equal(error.code, 'ERR_GATEHOUSE_UNAUTHORIZED');
      assert.match(
        error.message,
        /Sent without this client's credentials: http:\/\/127\.0\.0\.1:\d+ is not its baseUrl origin/,
      );
      assert.ok(!error.message.includes(TOKEN));
      return true;
    });
  });
});
