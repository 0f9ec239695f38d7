/**
 * The playground answers httpbin's auth endpoints as httpbin documents them: status, challenge,
 * cookies, JSON body (key names, key order, header casing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playgroundPerFile } from '../../support/playground.ts';

const pg = playgroundPerFile();

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}
async function get(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(pg.url + path, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const keys = (text: string) => Object.keys(JSON.parse(text));

describe('httpbin compatibility', () => {
  const table: Array<[string, string, RequestInit, (a: Answer) => void]> = [
    [
      'basic-auth, right pair',
      '/basic-auth/user/passwd',
      { headers: basic('user', 'passwd') },
      (a) => {
        assert.equal(a.status, 200);
        assert.deepStrictEqual(JSON.parse(a.text), { authenticated: true, user: 'user' });
      },
    ],
    [
      'basic-auth, wrong pair',
      '/basic-auth/user/passwd',
      { headers: basic('user', 'nope') },
      (a) => {
        assert.equal(a.status, 401);
        assert.equal(a.headers.get('www-authenticate'), 'Basic realm="Fake Realm"');
        assert.equal(a.text, '');
      },
    ],
    [
      'basic-auth, nothing sent',
      '/basic-auth/user/passwd',
      {},
      (a) => assert.deepStrictEqual([a.status, a.headers.get('www-authenticate')], [401, 'Basic realm="Fake Realm"']),
    ],
    [
      'hidden-basic-auth, wrong pair: 404, no challenge',
      '/hidden-basic-auth/user/passwd',
      { headers: basic('user', 'nope') },
      (a) => {
        assert.deepStrictEqual([a.status, a.headers.get('www-authenticate')], [404, null]);
      },
    ],
    [
      'hidden-basic-auth, right pair',
      '/hidden-basic-auth/user/passwd',
      { headers: basic('user', 'passwd') },
      (a) => assert.deepStrictEqual(JSON.parse(a.text), { authenticated: true, user: 'user' }),
    ],
    [
      'bearer, nothing sent',
      '/bearer',
      {},
      (a) => assert.deepStrictEqual([a.status, a.headers.get('www-authenticate'), a.text], [401, 'Bearer', '']),
    ],
    [
      'bearer, a token',
      '/bearer',
      { headers: { authorization: 'Bearer abc123' } },
      (a) => assert.deepStrictEqual(JSON.parse(a.text), { authenticated: true, token: 'abc123' }),
    ],
    [
      'digest-auth challenge',
      '/digest-auth/auth/user/passwd',
      {},
      (a) => {
        assert.equal(a.status, 401);
        assert.match(
          String(a.headers.get('www-authenticate')),
          /^Digest realm="me@kennethreitz\.com", nonce="[0-9a-f]{32}", qop="auth", opaque="[0-9a-f]{32}", algorithm=MD5, stale=FALSE$/,
        );
        assert.deepStrictEqual(
          a.headers.getSetCookie().map((c) => c.split(';')[0]),
          ['stale_after=never', 'fake=fake_value'],
        );
      },
    ],
    [
      'digest-auth SHA-256 challenge',
      '/digest-auth/auth-int/user/passwd/SHA-256',
      {},
      (a) => {
        assert.match(
          String(a.headers.get('www-authenticate')),
          /nonce="[0-9a-f]{64}", qop="auth-int", opaque="[0-9a-f]{64}", algorithm=SHA-256, stale=FALSE$/,
        );
      },
    ],
    [
      'digest-auth with an unknown qop offers both',
      '/digest-auth/xyz/user/passwd',
      {},
      (a) => assert.match(String(a.headers.get('www-authenticate')), /qop="auth, auth-int"/),
    ],
    [
      'status/401',
      '/status/401',
      {},
      (a) =>
        assert.deepStrictEqual(
          [a.status, a.headers.get('www-authenticate'), a.text],
          [401, 'Basic realm="Fake Realm"', ''],
        ),
    ],
    ['status with weights', '/status/200:0,403:1', {}, (a) => assert.equal(a.status, 403)],
    [
      'status, not a code',
      '/status/abc',
      {},
      (a) => assert.deepStrictEqual([a.status, a.text], [400, 'Invalid status code']),
    ],
    [
      'status/302 redirects to /redirect/1',
      '/status/302',
      {},
      (a) => assert.equal(a.headers.get('location'), '/redirect/1'),
    ],
    [
      'headers: Title-Cased names, sorted',
      '/headers',
      { headers: { 'x-api-key': 'k', 'user-agent': 'probe/1', accept: '*/*' } },
      (a) => {
        const { headers } = JSON.parse(a.text);
        assert.equal(headers['X-Api-Key'], 'k');
        assert.equal(headers['User-Agent'], 'probe/1');
        assert.deepStrictEqual(Object.keys(headers), [...Object.keys(headers)].sort());
      },
    ],
    [
      'get: args, headers, origin, url in that order; repeated args as a list',
      '/get?a=1&a=2&b=x',
      {},
      (a) => {
        const body = JSON.parse(a.text);
        assert.deepStrictEqual(Object.keys(body), ['args', 'headers', 'origin', 'url']);
        assert.deepStrictEqual(body.args, { a: ['1', '2'], b: 'x' });
        assert.equal(body.origin, '127.0.0.1');
        assert.equal(body.url, `${pg.url}/get?a=1&a=2&b=x`);
      },
    ],
    [
      'anything: every key httpbin has, sorted',
      '/anything/deep/path?q=1',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' },
      (a) => {
        const body = JSON.parse(a.text);
        assert.deepStrictEqual(Object.keys(body), [
          'args',
          'data',
          'files',
          'form',
          'headers',
          'json',
          'method',
          'origin',
          'url',
        ]);
        assert.deepStrictEqual(
          [body.method, body.json, body.data, body.args],
          ['POST', { n: 1 }, '{"n":1}', { q: '1' }],
        );
      },
    ],
    [
      'anything with a form',
      '/anything',
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' },
      (a) => {
        assert.deepStrictEqual(JSON.parse(a.text).form, { a: '1', b: '2' });
      },
    ],
    [
      'delay/0: the same body without method and json',
      '/delay/0',
      {},
      (a) => assert.deepStrictEqual(keys(a.text), ['args', 'data', 'files', 'form', 'headers', 'origin', 'url']),
    ],
    ['ip', '/ip', {}, (a) => assert.deepStrictEqual(JSON.parse(a.text), { origin: '127.0.0.1' })],
    [
      'user-agent',
      '/user-agent',
      { headers: { 'user-agent': 'probe/2' } },
      (a) => assert.deepStrictEqual(JSON.parse(a.text), { 'user-agent': 'probe/2' }),
    ],
    [
      'uuid',
      '/uuid',
      {},
      (a) =>
        assert.match(JSON.parse(a.text).uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    ],
    [
      'redirect-to',
      '/redirect-to?url=/get&status_code=307',
      {},
      (a) => assert.deepStrictEqual([a.status, a.headers.get('location')], [307, '/get']),
    ],
    [
      'relative-redirect/2',
      '/relative-redirect/2',
      {},
      (a) => assert.deepStrictEqual([a.status, a.headers.get('location')], [302, '/relative-redirect/1']),
    ],
    [
      'relative-redirect/1 lands on /get',
      '/relative-redirect/1',
      {},
      (a) => assert.equal(a.headers.get('location'), '/get'),
    ],
    [
      'absolute-redirect/2',
      '/absolute-redirect/2',
      {},
      (a) => assert.equal(a.headers.get('location'), `${pg.url}/absolute-redirect/1`),
    ],
    [
      'cookies/set',
      '/cookies/set?flavour=oat',
      {},
      (a) => {
        assert.deepStrictEqual([a.status, a.headers.get('location')], [302, '/cookies']);
        assert.equal(a.headers.getSetCookie()[0]?.split(';')[0], 'flavour=oat');
      },
    ],
    [
      'cookies',
      '/cookies',
      { headers: { cookie: 'flavour=oat; size=big' } },
      (a) => assert.deepStrictEqual(JSON.parse(a.text), { cookies: { flavour: 'oat', size: 'big' } }),
    ],
    [
      'cookies/delete',
      '/cookies/delete?flavour',
      {},
      (a) => assert.match(a.headers.getSetCookie()[0] ?? '', /^flavour=; Max-Age=0/),
    ],
    [
      'response-headers',
      '/response-headers?X-Custom=yes',
      {},
      (a) => {
        assert.equal(a.headers.get('x-custom'), 'yes');
        const body = JSON.parse(a.text);
        assert.equal(body['X-Custom'], 'yes');
        assert.deepStrictEqual(Object.keys(body), ['Content-Length', 'Content-Type', 'X-Custom']);
      },
    ],
  ];
  for (const [what, path, init, check] of table) {
    it(what, async () => check(await get(path, init)));
  }
});
