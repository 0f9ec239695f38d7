import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { json, serverPerTest } from '../support/server.ts';

// `gatehouse token inspect` verifying a signature, through the real CLI, with keys made here.
const serve = serverPerTest();
const main = join(import.meta.dirname, '../../src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'gh-verify-'));

const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [main, 'token', 'inspect', ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });

// Never starting with "-": the CLI's parser would read such a value as an option (pass --key=VALUE then).
const secret = `k${randomBytes(32).toString('base64url')}`;
const otherSecret = `k${randomBytes(32).toString('base64url')}`;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (pair: { publicKey: import('node:crypto').KeyObject }) =>
  pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const jwk = (pair: { publicKey: import('node:crypto').KeyObject }, kid?: string) => ({
  ...pair.publicKey.export({ format: 'jwk' }),
  ...(kid ? { kid } : {}),
});
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const now = () => Math.floor(Date.now() / 1000);
async function sign(
  alg: string,
  key: Uint8Array | import('node:crypto').KeyObject,
  options: { kid?: string; exp?: number; iss?: string } = {},
) {
  const jwt = new SignJWT({ sub: 'alice', ...(options.iss ? { iss: options.iss } : {}) })
    .setProtectedHeader({ alg, ...(options.kid ? { kid: options.kid } : {}) })
    .setIssuedAt()
    .setExpirationTime(options.exp ?? now() + 600);
  return jwt.sign(key);
}
const bytes = (s: string) => new TextEncoder().encode(s);

/** No key text, and no line of a PEM, in anything the CLI wrote. */
function assertNoKey(out: string, ...keys: string[]) {
  for (const key of keys)
    for (const piece of key.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----')))
      assert.ok(!out.includes(piece), 'key material in the output');
}

describe('token inspect verifies the signature', () => {
  it('says valid or names why not, for HS256, RS256 and ES256 keys given as text, PEM and JWK', async () => {
    const hs = await sign('HS256', bytes(secret));
    const rs = await sign('RS256', rsa.privateKey);
    const es = await sign('ES256', ec.privateKey);
    const cases: Array<[string, string[], number, RegExp]> = [
      ['HS256, right secret', [hs, '--key', secret], 0, /signature valid/],
      ['HS256, wrong secret', [hs, '--key', otherSecret], 1, /signature_invalid/],
      ['RS256, right PEM file', [rs, '--key', file('rsa.pem', pem(rsa))], 0, /signature valid/],
      ['RS256, right PEM text', [rs, `--key=${pem(rsa)}`], 0, /signature valid/],
      ['RS256, wrong PEM', [rs, '--key', file('other-rsa.pem', pem(otherRsa))], 1, /signature_invalid/],
      ['RS256, right JWK', [rs, '--key', JSON.stringify(jwk(rsa))], 0, /signature valid/],
      [
        'RS256, wrong JWK file',
        [rs, '--key', file('other.jwk', JSON.stringify(jwk(otherRsa)))],
        1,
        /signature_invalid/,
      ],
      ['ES256, right PEM', [es, '--key', file('ec.pem', pem(ec))], 0, /signature valid/],
      ['ES256, wrong PEM', [es, '--key', file('other-ec.pem', pem(otherEc))], 1, /signature_invalid/],
      ['ES256, right JWK', [es, '--key', JSON.stringify(jwk(ec))], 0, /signature valid/],
      ['ES256, wrong JWK', [es, '--key', JSON.stringify(jwk(otherEc))], 1, /signature_invalid/],
      // HS/RS confusion: an HS256 token checked against the RSA public key, and the reverse.
      ['HS256 token, RSA key', [hs, '--key', file('rsa2.pem', pem(rsa))], 1, /alg_mismatch: .*HS256.*RSA/],
      ['RS256 token, HMAC secret', [rs, '--key', secret], 1, /alg_mismatch: .*RS256.*secret/],
      ['ES256 token, RSA JWK', [es, '--key', JSON.stringify(jwk(rsa))], 1, /alg_mismatch/],
      ['Bearer prefix and quotes pasted', [`"Bearer ${hs}" `, '--key', secret], 0, /signature valid/],
      ['not a JWT', ['Bearer abc.def', '--key', secret], 1, /malformed/],
    ];
    for (const [name, args, status, reason] of cases) {
      const result = await cli(...args);
      assert.equal(result.status, status, `${name}: ${result.stdout}${result.stderr}`);
      assert.match(result.stdout + result.stderr, reason, name);
      assertNoKey(result.stdout + result.stderr, secret, otherSecret, pem(rsa), pem(ec), JSON.stringify(jwk(rsa)));
      assert.ok(!(result.stdout + result.stderr).includes(secret), name);
      assert.ok(!(result.stdout + result.stderr).includes(otherSecret), name);
    }
  });

  it('measures only an HMAC key, never a key file name or a public key', async () => {
    const hs = await sign('HS256', bytes(secret));
    const mismatch = await cli(hs, '--key', file('rsa3.pem', pem(rsa)));
    assert.doesNotMatch(mismatch.stdout, /weak_hmac_key/);
    const weak = await cli(await sign('HS256', bytes('short-secret-123')), '--key', 'short-secret-123');
    assert.match(weak.stdout, /signature valid/);
    assert.match(weak.stdout, /weak_hmac_key: the HS256 key is 16 bytes/);
    assert.equal(weak.status, 1);
  });

  it('an expired token with the right key is still a problem, with how long ago', async () => {
    const expired = await sign('HS256', bytes(secret), { exp: now() - 125 });
    const result = await cli(expired, '--key', secret);
    assert.equal(result.status, 1);
    assert.match(result.stdout, /signature valid/);
    assert.match(result.stdout, /token_expired: expired 2 min \d+ s ago/);
  });

  it('looks the kid up in a JWKS served on loopback, listing the kids it has when absent', async () => {
    const keys = { keys: [jwk(rsa, 'k1'), jwk(ec, 'k2')] };
    const server = await serve((_req, res) => json(res, 200, keys));
    const good = await cli(await sign('RS256', rsa.privateKey, { kid: 'k1' }), '--jwks', `${server.origin}/jwks`);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /signature valid.*k1/);
    const missing = await cli(
      await sign('RS256', otherRsa.privateKey, { kid: 'k9' }),
      '--jwks',
      `${server.origin}/jwks`,
    );
    assert.equal(missing.status, 1);
    assert.match(missing.stdout, /kid_not_found: .*"k9".*"k1", "k2"/);
    const forged = await cli(
      await sign('RS256', otherRsa.privateKey, { kid: 'k1' }),
      '--jwks',
      `${server.origin}/jwks`,
    );
    assert.equal(forged.status, 1);
    assert.match(forged.stdout, /signature_invalid/);
  });

  it('finds the JWKS through the issuer discovery document', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/.well-known/openid-configuration')
        return json(res, 200, { issuer: 'x', jwks_uri: `http://${req.headers.host}/keys` });
      if (req.url === '/keys') return json(res, 200, { keys: [jwk(ec, 'e1')] });
      return json(res, 404, {});
    });
    const token = await sign('ES256', ec.privateKey, { kid: 'e1' });
    const ok = await cli(token, '--issuer', server.origin);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /signature valid/);
    const wrong = await cli(await sign('ES256', otherEc.privateKey, { kid: 'e1' }), '--issuer', server.origin);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stdout, /signature_invalid/);
  });

  it('exits 2 when the keys cannot be fetched, and 64 for bad usage in one line', async () => {
    const token = await sign('HS256', bytes(secret));
    const failing = await serve((_req, res) => json(res, 500, {}));
    const huge = await serve((_req, res) => json(res, 200, { keys: [], pad: 'x'.repeat(300_000) }));
    const closed = await serve((_req, res) => json(res, 200, {}));
    await closed.close();
    for (const url of [`${failing.origin}/jwks`, `${huge.origin}/jwks`, `${closed.origin}/jwks`]) {
      const unreachable = await cli(token, '--jwks', url);
      assert.equal(unreachable.status, 2, unreachable.stdout + unreachable.stderr);
      assert.match(unreachable.stdout, /keys_unavailable: the JWKS at .*(answered 500|larger than|unreachable)/);
    }
    for (const args of [
      [token, '--key', secret, '--jwks', 'http://127.0.0.1:1/'],
      [token, '--jwks', 'not a url'],
      [token, '--issuer', 'ftp://x/'],
    ]) {
      const result = await cli(...args);
      assert.equal(result.status, 64, args.join(' '));
      assert.ok(!/\n\s+at /.test(result.stderr), 'no stack trace');
      assert.ok(!result.stderr.includes(secret));
    }
  });
});
