import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bearer,
  createClient,
  GatehouseError,
  HttpError,
  NetworkError,
  type RedirectEvent,
  TooManyRedirectsError,
} from '../../src/client/index.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();

describe('bodies', () => {
  const failOnce = () => serve((_req, res, _body, index) => json(res, index === 0 ? 503 : 200, {}));

  const replayable: Array<[string, () => BodyInit, string | RegExp]> = [
    ['a string', () => 'hello', 'hello'],
    ['bytes', () => new Uint8Array([104, 105]), 'hi'],
    ['an ArrayBuffer', () => new Uint8Array([111, 107]).buffer, 'ok'],
    ['a Blob', () => new Blob(['blob body']), 'blob body'],
    ['URLSearchParams', () => new URLSearchParams({ a: '1', b: 'two words' }), 'a=1&b=two+words'],
    [
      'FormData',
      () => {
        const form = new FormData();
        form.set('field', 'value');
        return form;
      },
      /name="field"\r\n\r\nvalue\r\n/,
    ],
  ];
  for (const [what, make, expected] of replayable) {
    it(`sends ${what} again, unchanged, on retry`, async () => {
      const s = await failOnce();
      const response = await createClient({ baseUrl: s.url, retry: { baseDelay: 1 } }).put('x', { body: make() });
      assert.equal(response.status, 200);
      assert.equal(s.received.length, 2);
      for (const r of s.received) {
        if (typeof expected === 'string') assert.equal(r.body.toString(), expected);
        else assert.match(r.body.toString(), expected);
      }
    });
  }

  it('does not retry a ReadableStream body, and says why', async () => {
    const s = await failOnce();
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const error = await createClient({ baseUrl: s.url, retry: { baseDelay: 1 } })
      .put('x', { body: stream })
      .catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(s.received.length, 1);
    assert.match(error.message, /one-shot ReadableStream.*body: \(\) => stream/);
  });

  it('retries a stream given as a factory, with a fresh stream each time', async () => {
    const s = await failOnce();
    let made = 0;
    const body = () => {
      made++;
      return new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('fresh stream'));
          controller.close();
        },
      });
    };
    assert.equal((await createClient({ baseUrl: s.url, retry: { baseDelay: 1 } }).put('x', { body })).status, 200);
    assert.equal(made, 2);
    assert.deepStrictEqual(
      s.received.map((r) => r.body.toString()),
      ['fresh stream', 'fresh stream'],
    );
  });

  it('replays the body of a Request object', async () => {
    const s = await failOnce();
    const response = await createClient({ retry: { baseDelay: 1 } }).fetch(
      new Request(`${s.url}x`, { method: 'PUT', body: 'from a Request' }),
    );
    assert.equal(response.status, 200);
    assert.deepStrictEqual(
      s.received.map((r) => r.body.toString()),
      ['from a Request', 'from a Request'],
    );
  });
});

describe('redirects: credentials belong to an origin', () => {
  async function pair() {
    const other = await serve((req, res) => json(res, 200, { headers: req.headers }));
    const home = await serve((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const to = url.searchParams.get('to');
      const status = Number(url.searchParams.get('status') ?? 302);
      if (url.pathname === '/go' && to) {
        res.writeHead(status, { location: to === 'self' ? '/landing' : `${other.origin}/landing` });
        res.end();
      } else if (url.pathname === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else {
        json(res, 200, { method: req.method, body: body.toString(), headers: req.headers });
      }
    });
    return { home, other };
  }

  it('drops Authorization, Cookie, Proxy-Authorization and declared secrets when a redirect leaves the origin', async () => {
    const { home, other } = await pair();
    const events: RedirectEvent[] = [];
    const client = createClient({
      auth: bearer('token-abc-123'),
      headers: { cookie: 'sid=1', 'proxy-authorization': 'Basic cHJveHk6cHc=', 'x-secret': 's', 'x-trace': 't' },
      redirect: { secretHeaders: ['X-Secret'] },
      onRedirect: (e) => events.push(e),
    });
    const body = await (await client.get(`${home.url}go?to=other`)).json();
    for (const name of ['authorization', 'cookie', 'proxy-authorization', 'x-secret'])
      assert.equal(body.headers[name], undefined, name);
    assert.equal(body.headers['x-trace'], 't');
    assert.equal(other.received.length, 1);
    assert.equal(home.received[0]!.headers.authorization, 'Bearer token-abc-123');
    // The strategy's Authorization is never attached at the other origin, so only the caller's headers needed dropping.
    assert.deepStrictEqual(events[0]!.dropped.sort(), ['cookie', 'proxy-authorization', 'x-secret']);
    assert.equal(events[0]!.credentialsAllowed, false);
  });

  it('keeps credentials on a redirect within the origin', async () => {
    const { home } = await pair();
    const body = await (await createClient({ auth: bearer('token-abc-123') }).get(`${home.url}go?to=self`)).json();
    assert.equal(body.headers.authorization, 'Bearer token-abc-123');
  });

  it('applies the strategy again at an origin the configuration trusts, but not the caller’s own Authorization', async () => {
    const { home, other } = await pair();
    const withStrategy = createClient({ auth: bearer('token-abc-123'), redirect: { trustedOrigins: [other.origin] } });
    assert.equal(
      (await (await withStrategy.get(`${home.url}go?to=other`)).json()).headers.authorization,
      'Bearer token-abc-123',
    );
    const byHand = createClient({
      headers: { authorization: 'Bearer by-hand' },
      redirect: { trustedOrigins: [other.origin] },
    });
    assert.equal((await (await byHand.get(`${home.url}go?to=other`)).json()).headers.authorization, undefined);
  });

  it('turns a POST into a GET without body on 303, keeps method and body on 307', async () => {
    const { home } = await pair();
    const client = createClient();
    const after303 = await (
      await client.post(`${home.url}go?to=self&status=303`, { body: 'data', headers: { 'content-type': 'text/plain' } })
    ).json();
    assert.deepStrictEqual([after303.method, after303.body, after303.headers['content-type']], ['GET', '', undefined]);
    const after307 = await (await client.post(`${home.url}go?to=self&status=307`, { body: 'data' })).json();
    assert.deepStrictEqual([after307.method, after307.body], ['POST', 'data']);
  });

  it('stops a redirect loop with a coded error', async () => {
    const { home } = await pair();
    const error = await createClient({ redirect: { max: 5 } })
      .get(`${home.url}loop`)
      .catch((e: unknown) => e);
    assert.ok(error instanceof TooManyRedirectsError);
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.code, 'ERR_GATEHOUSE_TOO_MANY_REDIRECTS');
    assert.equal(error.max, 5);
    assert.equal(
      error.message,
      `GET ${home.url}loop: more than 5 redirects (redirect.max); check for a redirect loop.`,
    );
    assert.equal(home.received.length, 6);
  });

  it('returns the 3xx itself when follow is off', async () => {
    const { home } = await pair();
    const response = await createClient({ redirect: { follow: false } }).get(`${home.url}go?to=other`);
    assert.equal(response.status, 302);
  });
});

describe('sessions', () => {
  it('sends default headers with every request; a call’s own headers win', async () => {
    const s = await serve((req, res) => json(res, 200, { headers: req.headers }));
    const client = createClient({ baseUrl: s.url, headers: { 'user-agent': 'gatehouse-test/1', 'x-team': 'a' } });
    const one = await (await client.get('one')).json();
    const two = await (await client.get('two', { headers: { 'x-team': 'b' } })).json();
    assert.deepStrictEqual([one.headers['user-agent'], one.headers['x-team']], ['gatehouse-test/1', 'a']);
    assert.equal(two.headers['x-team'], 'b');
  });

  it('keeps cookies in a jar for cookie-session APIs, and never sends them to another host', async () => {
    // RFC 6265 scopes cookies by host and path, not port: the other server is another host.
    const other = await serve((req, res) => json(res, 200, { cookie: req.headers.cookie ?? null }), {
      host: '127.0.0.2',
    });
    const s = await serve((req, res) => {
      if (req.url === '/login') {
        res.writeHead(200, { 'set-cookie': ['sid=abc123; Path=/; HttpOnly', 'theme=dark; Path=/'] });
        return res.end('{}');
      }
      if (req.url === '/away') {
        res.writeHead(302, { location: `${other.origin}/` });
        return res.end();
      }
      if (req.headers.cookie?.includes('sid=abc123')) return json(res, 200, { cookie: req.headers.cookie });
      json(res, 401, {}, { 'www-authenticate': 'Cookie realm="app"' });
    });
    const client = createClient({ baseUrl: s.url, cookies: true });
    await client.post('login');
    assert.deepStrictEqual(await (await client.get('me')).json(), { cookie: 'sid=abc123; theme=dark' });
    assert.deepStrictEqual(await (await client.get('away')).json(), { cookie: null });
    const stateless = createClient({ baseUrl: s.url, throwHttpErrors: false });
    assert.equal((await stateless.get('me')).status, 401);
  });

  it('reports a transport failure as a NetworkError even with a jar', async () => {
    const client = createClient({ cookies: true, retry: 0 });
    const error = await client.get('http://127.0.0.1:1/').catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError);
  });
});
