/** What httpbin cannot simulate, and bad input that must never bring the playground down. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  basic,
  bearer,
  createClient,
  NetworkError,
  parseRateLimit,
  parseRetryAfter,
  TimeoutError,
} from '../../src/client/index.ts';
import { createProblem, reasons } from '../../src/http/index.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';

let pg: Playground;
before(async () => {
  pg = await startPlayground();
});
after(() => pg.close());

const json = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(pg.url + path, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
};

/** Sends raw bytes and returns the first line of the answer. */
function raw(bytes: string): Promise<string> {
  const { port } = new URL(pg.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('error', () => resolve(data.split('\r\n')[0] ?? ''));
    setTimeout(() => socket.destroy(), 2000);
  });
}

describe('playground: OAuth and the guarded routes', () => {
  it('issues tokens to the seeded users and guards /api/* with every scheme', async () => {
    const token = await json('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: DEMO.publicClient,
        username: 'admin',
        password: 'admin-password',
        scope: 'read admin',
      }),
    });
    assert.equal(token.status, 200);
    const asAdmin = await json('/api/admin', { headers: { authorization: `Bearer ${token.body.access_token}` } });
    assert.deepStrictEqual([asAdmin.status, asAdmin.body.id, asAdmin.body.scheme], [200, 'u-admin', 'bearer']);
    const viaBasic = await createClient({ baseUrl: pg.url, auth: basic('alice', 'alice-password') }).get('api/me');
    assert.equal((await viaBasic.json()).id, 'u-alice');
    const viaKey = await json('/api/me', { headers: { 'x-api-key': DEMO.apiKey.key } });
    assert.equal(viaKey.body.id, 'svc-demo');
    const staff = await json('/api/staff', { headers: { authorization: `Basic ${btoa('alice:alice-password')}` } });
    assert.deepStrictEqual([staff.status, staff.body.code], [403, 'forbidden']);
  });

  it('hands out expired and not-yet-valid tokens that the guard refuses for exactly that', async () => {
    for (const [kind, code] of [
      ['expired', 'token_expired'],
      ['not-yet-valid', 'token_not_yet_valid'],
    ]) {
      const { access_token } = (await json(`/tokens/${kind}`)).body;
      const answer = await json('/api/me', { headers: { authorization: `Bearer ${access_token}` } });
      assert.deepStrictEqual([answer.status, answer.body.code], [401, code]);
    }
  });

  it('a session cookie, with its CSRF token on unsafe methods', async () => {
    const login = await fetch(`${pg.url}/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=alice-password',
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const { csrfToken } = await login.json();
    assert.equal((await json('/api/session', { headers: { cookie } })).status, 200);
    assert.equal((await json('/api/session', { method: 'POST', headers: { cookie } })).body.code, 'forbidden');
    assert.equal(
      (await json('/api/session', { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } })).status,
      200,
    );
  });

  it('answers a CORS preflight for Authorization from a loopback page without asking for credentials', async () => {
    const response = await fetch(`${pg.url}/api/me`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(String(response.headers.get('access-control-allow-headers')), /authorization/i);
  });

  it('redirects to its second origin, where the client sends no credentials', async () => {
    const client = createClient({ baseUrl: pg.url, auth: bearer('playground-token-0123456789') });
    const { headers } = await (await client.get('cross-origin/redirect?path=/headers')).json();
    assert.equal(headers.Authorization, undefined);
    assert.equal(headers.Host, new URL(pg.otherUrl).host);
  });
});

describe('playground: rate limits and faults', () => {
  it('answers 429 past the budget, with Retry-After in seconds or as a date, and RateLimit fields', async () => {
    const key = `t-${Date.now()}`;
    const first = await json(`/limited?budget=1&window=5&key=${key}`);
    assert.equal(first.status, 200);
    assert.deepStrictEqual(parseRateLimit(first.headers), {
      source: 'RateLimit',
      policy: 'playground',
      remaining: 0,
      resetMs: 5000,
      limit: 1,
      windowMs: 5000,
      policies: [{ policy: 'playground', remaining: 0, resetMs: 5000, limit: 1, windowMs: 5000 }],
    });
    const seconds = await json(`/limited?budget=1&window=5&key=${key}`);
    assert.deepStrictEqual([seconds.status, seconds.body.code], [429, 'rate_limited']);
    assert.deepStrictEqual(seconds.body, createProblem('rate_limited', { detail: 'Budget of 1 per 5 s used up.' }));
    assert.match(String(seconds.headers.get('retry-after')), /^[1-5]$/);
    const date = await json(`/limited?budget=1&window=5&key=${key}&form=date&status=503`);
    assert.equal(date.status, 503);
    // RFC 9457 §3.1.2: the body's status is the one sent.
    assert.deepStrictEqual([date.body.code, date.body.status], ['rate_limited', 503]);
    const wait = parseRetryAfter(date.headers.get('retry-after'), { date: date.headers.get('date') });
    assert.ok(wait !== undefined && wait > 0 && wait <= 6000, String(wait));
  });

  it('a flaky route fails N times then succeeds; the client rides it out', async () => {
    const client = createClient({ baseUrl: pg.url, retry: { limit: 3, baseDelay: 1 } });
    assert.equal((await (await client.get(`flaky/2?id=${Date.now()}`)).json()).attempt, 3);
    assert.equal((await (await client.get(`flaky/1?id=r${Date.now()}&mode=reset`)).json()).attempt, 2);
  });

  it('resets, slow headers, slow bodies and cut bodies behave as named', async () => {
    const client = createClient({ baseUrl: pg.url, retry: 0, timeout: { attempt: 200 } });
    assert.ok((await client.get('fault/reset').catch((e: unknown) => e)) instanceof NetworkError);
    assert.ok((await client.get('fault/slow-headers/1000').catch((e: unknown) => e)) instanceof TimeoutError);
    const start = Date.now();
    const slow = await fetch(`${pg.url}/fault/slow-body/300`);
    const headersAfter = Date.now() - start;
    const text = await slow.text();
    assert.ok(headersAfter < 250 && Date.now() - start >= 250);
    assert.equal(text.split('\n').length, 11);
    const cut = await fetch(`${pg.url}/fault/cut-body`);
    assert.equal(cut.headers.get('content-length'), '2000');
    await assert.rejects(cut.text());
  });

  it('503 with Retry-After on demand', async () => {
    const answer = await json('/unavailable?retry_after=7');
    assert.deepStrictEqual([answer.status, answer.headers.get('retry-after')], [503, '7']);
  });
});

describe('playground: bad input', () => {
  it('unknown routes get 404 with a JSON body', async () => {
    const answer = await json('/no/such/route');
    assert.deepStrictEqual([answer.status, answer.body.error], [404, 'not_found']);
  });

  it('bad parameters get 400 with a problem body', async () => {
    for (const path of [
      '/limited?budget=-1',
      '/flaky/abc',
      '/fault/slow-headers/999999',
      '/tokens/weird',
      '/unavailable?retry_after=x',
    ]) {
      const answer = await json(path);
      assert.equal(answer.status, 400, path);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json', path);
      // From the catalogue, as the server's own refusals are: its code, title and hint.
      assert.deepStrictEqual(
        [answer.body.code, answer.body.title, answer.body.hint],
        ['request_invalid', reasons.request_invalid.title, reasons.request_invalid.hint],
        path,
      );
    }
  });

  it('malformed requests never crash it: it answers them and keeps serving', async () => {
    assert.match(await raw('FOO BAR\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431/);
    assert.match(
      await raw('POST /anything HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n'),
      /^HTTP\/1\.1 400/,
    );
    assert.match(
      await raw('GET /get HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'),
      /^HTTP\/1\.1 400/,
    );
    assert.equal((await fetch(`${pg.url}/get`)).status, 200);
  });

  it('a Host that is no authority gets 400 request_invalid problem+json, as the library’s mounts answer it', async () => {
    const { port } = new URL(pg.url);
    const exchange = (bytes: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
        let data = '';
        socket.on('data', (chunk) => {
          data += chunk;
        });
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
        setTimeout(() => socket.destroy(), 2000);
      });
    for (const [target, host] of [
      ['POST /oauth/token', 'a b'],
      ['GET /api/me', 'x:99999'],
      ['GET /get', 'a@b:c'],
    ] as const) {
      const answer = await exchange(
        `${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 400/, host);
      assert.match(head, /content-type: application\/problem\+json/i, host);
      const problem = JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1));
      assert.deepStrictEqual([problem.status, problem.code], [400, 'request_invalid'], host);
      assert.ok(!JSON.stringify(problem).includes(host), `the problem echoes the Host ${host}`);
    }
    assert.equal((await fetch(`${pg.url}/get`)).status, 200);
  });

  it('lists every route and the demo accounts at /', async () => {
    const page = await (await fetch(`${pg.url}/`)).text();
    assert.match(page, /<title>Gatehouse playground<\/title>/);
    for (const route of ['/basic-auth/:user/:passwd', '/oauth/token', '/limited', '/fault/cut-body'])
      assert.ok(page.includes(route), route);
    assert.ok(page.includes(DEMO.serviceClient.secret));
  });
});
