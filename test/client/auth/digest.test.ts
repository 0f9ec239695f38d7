import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, digest, UnauthorizedError } from '../../../src/client/index.ts';
import { type DigestServerOptions, digestHandler } from '../../support/digest-server.ts';
import { serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const digestServer = (options: DigestServerOptions) => serve(digestHandler(options));

describe('digest()', () => {
  const algorithms = [
    undefined,
    'MD5',
    'MD5-sess',
    'SHA-256',
    'SHA-256-sess',
    'SHA-512-256',
    'SHA-512-256-sess',
    'SHA-512',
  ];
  for (const algorithm of algorithms) {
    // RFC 2069's qop-less form has no -sess variants (a session key needs the cnonce qop brings).
    for (const qop of algorithm?.endsWith('-sess') ? ['auth', 'auth-int'] : ['auth', 'auth-int', '']) {
      it(`authenticates with ${algorithm ?? 'no algorithm (MD5)'} and ${qop ? `qop ${qop}` : 'no qop'}`, async () => {
        const s = await digestServer({ username: 'Mufasa', password: 'Circle of Life', algorithm, qop });
        const client = createClient({ baseUrl: s.url, auth: digest('Mufasa', 'Circle of Life') });
        const response = await client.post('dir/index.html?x=1', {
          body: 'the body',
          headers: { 'idempotency-key': 'k' },
        });
        const body = await response.json();
        assert.equal(body.authenticated, true);
        assert.equal(body.qop, qop || null);
        assert.equal(s.received.length, 2, 'one 401, one answer');
      });
    }
  }

  it('prefers auth-int when asked and the server offers both', async () => {
    const s = await digestServer({ username: 'u', password: 'p', qop: 'auth, auth-int', algorithm: 'SHA-256' });
    const client = createClient({ baseUrl: s.url, auth: digest('u', 'p', { qop: 'auth-int' }) });
    assert.equal((await (await client.put('x', { body: 'payload' })).json()).qop, 'auth-int');
  });

  it('caches the challenge: later requests authenticate up front, counting nc', async () => {
    const s = await digestServer({ username: 'u', password: 'p', algorithm: 'SHA-256' });
    const client = createClient({ baseUrl: s.url, auth: digest('u', 'p') });
    await client.get('a');
    const second = await (await client.get('b')).json();
    const third = await (await client.get('c')).json();
    assert.equal(s.received.length, 4, '401 + answer, then one request each');
    assert.deepStrictEqual([second.nc, third.nc], ['00000002', '00000003']);
  });

  it('answers stale=true with the new nonce without giving up', async () => {
    const s = await digestServer({ username: 'u', password: 'p', staleAfter: 1 });
    const client = createClient({ baseUrl: s.url, auth: digest('u', 'p') });
    await client.get('a');
    const response = await client.get('b');
    assert.equal(response.status, 200);
    // a: 401, answer. b: cached nonce → stale 401, answer with the new nonce.
    assert.equal(s.received.length, 4);
  });

  it('uses userhash when the server asks for it', async () => {
    const s = await digestServer({
      username: 'Jäsøn Doe',
      password: 'Secret, or not?',
      userhash: true,
      algorithm: 'SHA-512-256',
    });
    const client = createClient({ baseUrl: s.url, auth: digest('Jäsøn Doe', 'Secret, or not?') });
    assert.equal((await client.get('doe.json')).status, 200);
    assert.doesNotMatch(String(s.received[1]!.headers.authorization), /J%C3%A4s/);
  });

  it('sends a non-ASCII username as username* (RFC 8187)', async () => {
    const s = await digestServer({ username: 'Jäsøn Doe', password: 'pw' });
    const client = createClient({ baseUrl: s.url, auth: digest('Jäsøn Doe', 'pw') });
    assert.equal((await client.get('x')).status, 200);
    assert.match(String(s.received[1]!.headers.authorization), /username\*=UTF-8''J%C3%A4s%C3%B8n%20Doe/);
  });

  it('gives up after one answer when the password is wrong: no loop', async () => {
    const s = await digestServer({ username: 'u', password: 'right' });
    const error = await createClient({ baseUrl: s.url, auth: digest('u', 'wrong-password') })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.equal(error.challenges[0]?.scheme, 'Digest');
    assert.equal(s.received.length, 2);
    assert.ok(!error.message.includes('wrong-password'));
  });

  it('a refused answer says what to check: username and password, the realm, the algorithm', async () => {
    const s = await digestServer({ username: 'u', password: 'right', algorithm: 'SHA-256' });
    const error = await createClient({ baseUrl: s.url, auth: digest('u', 'wrong-password') })
      .get('x')
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.match(
      error.message,
      /answered 401 Unauthorized after 1 attempt\. The server refused the Digest credentials/,
    );
    assert.match(error.message, /check the username and password/);
    assert.match(error.message, /realm "[^"]+"/);
    assert.match(error.message, /SHA-256/);
    assert.ok(!error.message.includes('wrong-password'));
  });
});
