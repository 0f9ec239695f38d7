import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  bearer,
  createClient,
  GatehouseError,
  type RedirectEvent,
  TooManyRedirectsError,
} from '../../src/client/index.ts';
import { selfSignedCertificate } from '../support/self-signed.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();

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

  it("drops the POST's Idempotency-Key from the GET a 303 leads to, keeps it on a 307", async () => {
    const { home } = await pair();
    const client = createClient({ retry: { idempotencyKey: true } });
    const after303 = await (await client.post(`${home.url}go?to=self&status=303`, { body: 'data' })).json();
    assert.deepStrictEqual([after303.method, after303.headers['idempotency-key']], ['GET', undefined]);
    const after307 = await (await client.post(`${home.url}go?to=self&status=307`, { body: 'data' })).json();
    assert.equal(after307.method, 'POST');
    assert.match(after307.headers['idempotency-key'], /^[0-9a-f-]{36}$/);
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

describe('redirects from https to http', () => {
  it('drop the credentials: the http origin never sees the token or the cookie', async () => {
    const { cert, key } = selfSignedCertificate();
    const worker = join(import.meta.dirname, '../support/https-downgrade-worker.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [worker, cert, key], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      timeout: 20_000,
    });
    const { direct, redirected } = JSON.parse(stdout);
    assert.equal(direct.authorization, 'Bearer token-for-https-only', 'the https origin gets the token');
    assert.deepStrictEqual(redirected, { authorization: null, cookie: null });
  });
});
