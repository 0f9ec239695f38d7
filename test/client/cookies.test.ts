import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, NetworkError } from '../../src/client/index.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();

describe('sessions', () => {
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
