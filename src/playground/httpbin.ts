/**
 * httpbin's auth-related endpoints, answer for answer: same statuses, challenges, cookies and
 * JSON shapes (keys sorted as httpbin's Flask sorts them, header names Title-Cased as Werkzeug
 * reports them), so a program written against httpbin behaves the same here.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { parseAuthorization } from '../http/index.ts';
import { problemResponse } from '../server/server-failure.ts';
import { inertJson, responseHeaderRefusal } from './inert-answers.ts';
import { redirectLocation } from './redirect-target.ts';

// httpbin hides the headers its hosting adds (httpbin/helpers.py ENV_HEADERS).
const HIDDEN = new Set([
  'x-varnish',
  'x-request-start',
  'x-heroku-queue-depth',
  'x-real-ip',
  'x-forwarded-proto',
  'x-forwarded-protocol',
  'x-forwarded-ssl',
  'x-heroku-queue-wait-time',
  'x-forwarded-for',
  'x-heroku-dynos-in-use',
  'x-forwarded-port',
  'x-request-id',
  'via',
  'total-route-time',
  'connect-time',
]);

const titleCase = (name: string) =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');

/** Sorted keys, as Flask's jsonify wrote them. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export function httpbinJson(c: Context, body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return c.body(`${inertJson(sorted(body), 2)}\n`, status as 200, {
    'content-type': 'application/json',
    ...headers,
  });
}

export function headersOf(c: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of c.req.raw.headers) {
    if (!HIDDEN.has(name)) headers[titleCase(name)] = value;
  }
  return headers;
}

/** args as httpbin reports them: one value as a string, several as a list. */
function argsOf(url: URL): Record<string, string | string[]> {
  const args: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    args[key] = all.length === 1 ? all[0]! : all;
  }
  return args;
}

export function originOf(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return (incoming?.socket?.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

async function anything(c: Context) {
  const url = new URL(c.req.url);
  const type = c.req.header('content-type') ?? '';
  const text = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
  let json: unknown = null;
  let form: Record<string, string | string[]> = {};
  let data = text;
  if (type.includes('application/json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  } else if (type.includes('application/x-www-form-urlencoded')) {
    form = argsOf(new URL(`http://x/?${text}`));
    data = '';
  }
  return {
    args: argsOf(url),
    data,
    files: {},
    form,
    headers: headersOf(c),
    json,
    method: c.req.method,
    origin: originOf(c),
    url: url.href,
  };
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512': 'sha512' };

export function httpbinRoutes(): Hono {
  const app = new Hono();

  // httpbin compares the pair with the one in the URL; only the refusal differs (401 or a hidden 404).
  const basicRoute = (refusal: (c: Context) => Response) => (c: Context) => {
    const auth = parseAuthorization(c.req.header('authorization'));
    const right =
      auth.ok &&
      auth.credentials.kind === 'basic' &&
      auth.credentials.username === c.req.param('user') &&
      auth.credentials.password === c.req.param('passwd');
    return right ? httpbinJson(c, { authenticated: true, user: c.req.param('user') }) : refusal(c);
  };
  app.get(
    '/basic-auth/:user/:passwd',
    basicRoute((c) => c.body(null, 401, { 'www-authenticate': 'Basic realm="Fake Realm"' })),
  );
  app.get(
    '/hidden-basic-auth/:user/:passwd',
    basicRoute((c) => c.body(null, 404)),
  );

  app.get('/bearer', (c) => {
    const header = c.req.header('authorization') ?? '';
    if (!header.startsWith('Bearer ')) return c.body(null, 401, { 'www-authenticate': 'Bearer' });
    return httpbinJson(c, { authenticated: true, token: header.slice('Bearer '.length) });
  });

  const digest = (c: Context) => {
    const { qop: rawQop, user, passwd } = c.req.param() as Record<string, string>;
    const algorithm = ['MD5', 'SHA-256', 'SHA-512'].includes(c.req.param('algorithm') ?? '')
      ? c.req.param('algorithm')!
      : 'MD5';
    const staleAfter = c.req.param('stale_after') ?? 'never';
    const qop = rawQop === 'auth' || rawQop === 'auth-int' ? rawQop : undefined;
    const H = (data: string | Buffer) => createHash(HASHES[algorithm]!).update(data).digest('hex');
    const challenge = (stale: boolean) => {
      const nonce = H(`${originOf(c)}:${Date.now() / 1000}:${randomBytes(10).toString('hex')}`);
      const opaque = H(randomBytes(10));
      const value = `Digest realm="me@kennethreitz.com", nonce="${nonce}", qop="${qop ?? 'auth, auth-int'}", opaque="${opaque}", algorithm=${algorithm}, stale=${stale ? 'TRUE' : 'FALSE'}`;
      setCookie(c, 'stale_after', staleAfter, { path: '/' });
      setCookie(c, 'fake', 'fake_value', { path: '/' });
      return c.body('', 401, { 'www-authenticate': value, 'content-type': 'text/html; charset=utf-8' });
    };
    const auth = parseAuthorization(c.req.header('authorization'));
    if (!auth.ok || auth.credentials.kind !== 'digest') return challenge(false);
    const d = auth.credentials.digest;
    const staleValue = getCookie(c, 'stale_after');
    if ((getCookie(c, 'last_nonce') !== undefined && getCookie(c, 'last_nonce') === d.nonce) || staleValue === '0') {
      setCookie(c, 'last_nonce', d.nonce, { path: '/' });
      return challenge(true);
    }
    const ha1 = H(`${user}:${d.realm}:${passwd}`);
    const ha2 = H(`${c.req.method}:${d.uri}`);
    const expected = d.qop ? H(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`) : H(`${ha1}:${d.nonce}:${ha2}`);
    if (d.username !== user || d.response !== expected) {
      setCookie(c, 'last_nonce', d.nonce, { path: '/' });
      return challenge(false);
    }
    setCookie(c, 'fake', 'fake_value', { path: '/' });
    if (staleValue && staleValue !== 'never')
      setCookie(c, 'stale_after', String(Math.max(0, Number(staleValue) - 1)), { path: '/' });
    return httpbinJson(c, { authenticated: true, user });
  };
  app.get('/digest-auth/:qop/:user/:passwd', digest);
  app.get('/digest-auth/:qop/:user/:passwd/:algorithm', digest);
  app.get('/digest-auth/:qop/:user/:passwd/:algorithm/:stale_after', digest);

  app.all('/status/:codes', (c) => {
    const choices: Array<[number, number]> = [];
    for (const part of c.req.param('codes').split(',')) {
      const [code, weight] = part.split(':');
      const status = Number(code);
      const w = weight === undefined ? 1 : Number(weight);
      if (!/^\d{3}$/.test(code ?? '') || status < 200 || status > 599 || !Number.isFinite(w) || w < 0)
        return c.text('Invalid status code', 400);
      choices.push([status, w]);
    }
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let pick = Math.random() * total;
    let status = choices[0]![0];
    for (const [code, w] of choices) {
      pick -= w;
      if (pick <= 0) {
        status = code;
        break;
      }
    }
    const headers: Record<string, string> = {};
    if (status === 401) headers['www-authenticate'] = 'Basic realm="Fake Realm"';
    if (status === 407) headers['proxy-authenticate'] = 'Basic realm="Fake Realm"';
    if (status >= 300 && status < 400 && status !== 304) headers['location'] = '/redirect/1';
    return new Response(status === 204 || status === 304 ? null : '', { status, headers });
  });

  app.get('/headers', (c) => httpbinJson(c, { headers: headersOf(c) }));
  app.get('/ip', (c) => httpbinJson(c, { origin: originOf(c) }));
  app.get('/user-agent', (c) => httpbinJson(c, { 'user-agent': c.req.header('user-agent') ?? null }));
  app.get('/uuid', (c) => httpbinJson(c, { uuid: randomUUID() }));
  app.get('/get', (c) => {
    const url = new URL(c.req.url);
    return httpbinJson(c, { args: argsOf(url), headers: headersOf(c), origin: originOf(c), url: url.href });
  });
  app.all('/anything', async (c) => httpbinJson(c, await anything(c)));
  app.all('/anything/*', async (c) => httpbinJson(c, await anything(c)));
  app.get('/delay/:n', async (c) => {
    const n = Number(c.req.param('n'));
    if (!Number.isFinite(n) || n < 0) return c.text('Invalid delay', 400);
    await new Promise((r) => setTimeout(r, Math.min(n, 10) * 1000));
    const { method: _m, json: _j, ...rest } = await anything(c);
    return httpbinJson(c, rest);
  });

  app.all('/redirect-to', (c) => {
    const url = c.req.query('url');
    if (!url) return c.text('Missing url', 400);
    const location = redirectLocation(url, c.req.url);
    if (location === undefined)
      return problemResponse(
        'request_invalid',
        'url must be an http(s) URL, absolute or relative; javascript:, data:, file: and other schemes are refused.',
      );
    const code = Number(c.req.query('status_code') ?? 302);
    const status = code >= 300 && code < 400 ? code : 302;
    return c.body('', status as 302, { location });
  });
  const hops = (c: Context) => {
    const n = Number(c.req.param('n'));
    return Number.isInteger(n) && n >= 1 ? n : undefined;
  };
  app.get('/redirect/:n', (c) => {
    const n = hops(c);
    if (n === undefined) return c.text('Invalid redirect count', 400);
    return c.body('', 302, { location: n === 1 ? '/get' : `/relative-redirect/${n - 1}` });
  });
  app.get('/relative-redirect/:n', (c) => {
    const n = hops(c);
    if (n === undefined) return c.text('Invalid redirect count', 400);
    return c.body('', 302, { location: n === 1 ? '/get' : `/relative-redirect/${n - 1}` });
  });
  app.get('/absolute-redirect/:n', (c) => {
    const n = hops(c);
    if (n === undefined) return c.text('Invalid redirect count', 400);
    const origin = new URL(c.req.url).origin;
    return c.body('', 302, { location: n === 1 ? `${origin}/get` : `${origin}/absolute-redirect/${n - 1}` });
  });

  app.get('/cookies', (c) => httpbinJson(c, { cookies: getCookie(c) }));
  // RFC 6265 §4.1.1: a cookie name is a token; another name is the caller's mistake (it was a 500).
  const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const badCookieName = () =>
    problemResponse('request_invalid', "A cookie name must be an RFC 6265 token (letters, digits, !#$%&'*+-.^_`|~).");
  // Cookies ignore the port (RFC 6265 §8.5): one set here reaches every server on this host. A
  // browser says where a navigation came from (Fetch Metadata, Sec-Fetch-Site, which a page cannot
  // set), so a page on another site cannot plant or delete them; programs send no such header.
  app.use('/cookies/*', async (c, next) => {
    if (c.req.path !== '/cookies' && c.req.header('sec-fetch-site') === 'cross-site')
      return problemResponse(
        'request_invalid',
        'A page on another site cannot set or delete cookies here: open the URL yourself, or send it from a program.',
      );
    return next();
  });
  app.get('/cookies/set', (c) => {
    const pairs = [...new URL(c.req.url).searchParams];
    if (!pairs.every(([name]) => COOKIE_NAME.test(name))) return badCookieName();
    for (const [name, value] of pairs) setCookie(c, name, value, { path: '/' });
    return c.body('', 302, { location: '/cookies' });
  });
  app.get('/cookies/set/:name/:value', (c) => {
    if (!COOKIE_NAME.test(c.req.param('name'))) return badCookieName();
    setCookie(c, c.req.param('name'), c.req.param('value'), { path: '/' });
    return c.body('', 302, { location: '/cookies' });
  });
  app.get('/cookies/delete', (c) => {
    const names = [...new URL(c.req.url).searchParams.keys()];
    if (!names.every((name) => COOKIE_NAME.test(name))) return badCookieName();
    for (const name of names) setCookie(c, name, '', { path: '/', maxAge: 0, expires: new Date(0) });
    return c.body('', 302, { location: '/cookies' });
  });
  // httpbin adds each query pair as a response header and reports them in a body that states its
  // own length. Here a pair that would make the answer run in a browser, or undo what keeps it
  // inert, is refused (inert-answers.ts); a JSON or text/plain Content-Type replaces the default
  // instead of being added as a second one.
  app.all('/response-headers', (c) => {
    const url = new URL(c.req.url);
    const body: Record<string, string | string[]> = { 'Content-Type': 'application/json', ...argsOf(url) };
    const headers = new Headers({ 'content-type': 'application/json' });
    for (const [name, value] of url.searchParams) {
      const refusal = responseHeaderRefusal(name, value);
      if (refusal) return problemResponse('request_invalid', refusal);
      try {
        if (name.toLowerCase() === 'content-type') headers.set(name, value);
        else headers.append(name, value);
      } catch {
        return problemResponse('request_invalid', 'A response header name or value is not valid.');
      }
    }
    // As httpbin: state the length, and count again until stating it no longer changes it.
    body['Content-Length'] = '0';
    let text = `${inertJson(sorted(body), 2)}\n`;
    for (;;) {
      body['Content-Length'] = String(Buffer.byteLength(text));
      const restated = `${inertJson(sorted(body), 2)}\n`;
      if (restated === text) break;
      text = restated;
    }
    return new Response(text, { status: 200, headers });
  });
  return app;
}
