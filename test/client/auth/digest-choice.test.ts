/**
 * Digest algorithm and realm rules (RFC 7616 §3.7, §5.2): once SHA-256 (or stronger) has worked
 * for an origin, a later challenge from that origin offering only something weaker is refused
 * with a typed error, not answered; and only one realm per origin is answered (the one configured,
 * or the first one answered there). Real loopback Digest servers whose behaviour switches mid-test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createClient,
  DigestDowngradeError,
  DigestRealmError,
  digest,
  GatehouseError,
  parseAuthorization,
} from '../../../src/client/index.ts';
import { type DigestServerOptions, digestHandler } from '../../support/digest-server.ts';
import { type Handler, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const USER = { username: 'Mufasa', password: 'Circle of Life' };

/** A server that answers as `first` until `switchAt` requests have arrived, then as `then`. */
function switching(first: DigestServerOptions, then: DigestServerOptions, switchAt: number): Handler {
  const before = digestHandler(first);
  const after = digestHandler(then);
  return (req, res, body, index) => (index < switchAt ? before(req, res, body) : after(req, res, body));
}

/** The Digest algorithms the client answered with, request by request (null: no Digest answer). */
function answered(server: { received: Array<{ headers: Record<string, unknown> }> }): Array<string | null> {
  return server.received.map((r) => {
    const parsed = parseAuthorization(r.headers['authorization'] as string | undefined);
    return parsed.ok && parsed.credentials.kind === 'digest' ? (parsed.credentials.digest.algorithm ?? 'MD5') : null;
  });
}

describe('Digest: no downgrade below what has worked for an origin', () => {
  it('refuses a later MD5-only challenge after SHA-256 worked, with a typed error, sending no MD5 answer', async () => {
    const s = await serve(switching({ ...USER, algorithm: 'SHA-256' }, { ...USER, algorithm: 'MD5' }, 2));
    const client = createClient({ baseUrl: s.url, auth: digest(USER.username, USER.password), retry: 0 });
    assert.equal((await client.get('first')).status, 200);
    const error = await client.get('second').catch((e: unknown) => e);
    assert.ok(error instanceof DigestDowngradeError, String(error));
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.code, 'ERR_GATEHOUSE_DIGEST_DOWNGRADE');
    assert.equal(DigestDowngradeError.code, 'ERR_GATEHOUSE_DIGEST_DOWNGRADE');
    assert.match(error.message, /SHA-256 has worked.*only MD5/);
    assert.match(error.message, /allowDowngrade/);
    assert.ok(!error.message.includes(USER.password));
    assert.deepStrictEqual(answered(s), [null, 'SHA-256', 'SHA-256'], 'never an MD5 answer');
  });

  it('picks the strong challenge when a later 401 offers MD5 and SHA-256 side by side', async () => {
    let index = 0;
    const strong = digestHandler({ ...USER, algorithm: 'SHA-256' });
    const s = await serve((req, res, body) => {
      index++;
      if (index === 3) {
        // A fresh 401 that lists MD5 first: the client must still answer SHA-256.
        res.setHeader('www-authenticate', [
          'Digest realm="digest@test", algorithm=MD5, nonce="weak", qop="auth"',
          'Digest realm="digest@test", algorithm=SHA-256, nonce="weak2", qop="auth"',
        ]);
        res.writeHead(401);
        res.end();
        return;
      }
      return strong(req, res, body);
    });
    const client = createClient({ baseUrl: s.url, auth: digest(USER.username, USER.password), retry: 0 });
    await client.get('a');
    await client.get('b').catch(() => undefined);
    assert.ok(!answered(s).includes('MD5'));
  });

  it('answers the weaker algorithm only when allowDowngrade is set', async () => {
    const s = await serve(switching({ ...USER, algorithm: 'SHA-256' }, { ...USER, algorithm: 'MD5' }, 2));
    const client = createClient({
      baseUrl: s.url,
      auth: digest(USER.username, USER.password, { allowDowngrade: true }),
      retry: 0,
    });
    await client.get('first');
    assert.equal((await client.get('second')).status, 200);
    assert.deepStrictEqual(answered(s), [null, 'SHA-256', 'SHA-256', 'MD5']);
  });

  it('remembers per origin: MD5 at one origin does not bind another', async () => {
    const strong = await serve(digestHandler({ ...USER, algorithm: 'SHA-256' }));
    const weak = await serve(digestHandler({ ...USER, algorithm: 'MD5' }));
    const client = createClient({ auth: digest(USER.username, USER.password), retry: 0 });
    assert.equal((await client.get(`${strong.url}a`)).status, 200);
    assert.equal((await client.get(`${weak.url}a`)).status, 200);
  });
});

describe('Digest: which realms are answered', () => {
  it('without a realm option, answers only the realm first answered at the origin', async () => {
    const s = await serve(
      switching({ ...USER, algorithm: 'SHA-256', realm: 'api' }, { ...USER, algorithm: 'SHA-256', realm: 'other' }, 2),
    );
    const client = createClient({ baseUrl: s.url, auth: digest(USER.username, USER.password), retry: 0 });
    assert.equal((await client.get('first')).status, 200);
    const error = await client.get('second').catch((e: unknown) => e);
    assert.ok(error instanceof DigestRealmError, String(error));
    assert.equal(error.code, 'ERR_GATEHOUSE_DIGEST_REALM');
    assert.match(error.message, /"other"/);
    const realms = s.received.map(
      (r) =>
        (parseAuthorization(r.headers.authorization) as { credentials?: { digest?: { realm: string } } }).credentials
          ?.digest?.realm,
    );
    assert.ok(!realms.includes('other'), 'no answer computed for the second realm');
  });

  it('with realm set, answers that realm and refuses any other, even the first one seen', async () => {
    const s = await serve(digestHandler({ ...USER, realm: 'elsewhere', algorithm: 'SHA-256' }));
    const client = createClient({
      baseUrl: s.url,
      auth: digest(USER.username, USER.password, { realm: 'api' }),
      retry: 0,
    });
    await assert.rejects(client.get('x'), DigestRealmError);
    assert.deepStrictEqual(answered(s), [null]);

    const ok = await serve(digestHandler({ ...USER, realm: 'api', algorithm: 'SHA-256' }));
    const right = createClient({
      baseUrl: ok.url,
      auth: digest(USER.username, USER.password, { realm: ['api', 'v2'] }),
    });
    assert.equal((await right.get('x')).status, 200);
  });

  it('answers the configured realm when a 401 offers several', async () => {
    const inner = digestHandler({ ...USER, realm: 'api', algorithm: 'SHA-256' });
    const s = await serve((req, res, body) => {
      if (!req.headers.authorization) {
        res.setHeader('www-authenticate', [
          'Digest realm="trap", algorithm=SHA-512-256, nonce="n1", qop="auth"',
          'Digest realm="api", algorithm=SHA-256, nonce="n2", qop="auth"',
        ]);
        res.writeHead(401);
        res.end();
        return;
      }
      return inner(req, res, body);
    });
    const client = createClient({ baseUrl: s.url, auth: digest(USER.username, USER.password, { realm: 'api' }) });
    await client.get('x').catch(() => undefined);
    const sent = parseAuthorization(s.received[1]?.headers.authorization);
    assert.ok(sent.ok && sent.credentials.kind === 'digest');
    assert.equal(sent.credentials.digest.realm, 'api');
  });
});
