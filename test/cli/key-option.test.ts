/** `gatehouse doctor … --key`: the doctor checks the bearer JWT's signature itself, and never prints the key. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import { gatehouse } from '../support/cli.ts';
import { json, serverPerTest } from '../support/server.ts';

const SERVER_KEY = 'the-api-signing-secret-0123456789abcdef';
const OTHER_KEY = 'another-environment-secret-fedcba987654';
const sign = (key: string) =>
  new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(key));

describe('gatehouse doctor --key', () => {
  const serve = serverPerTest();
  const api = () =>
    serve(async (req, res) => {
      const auth = req.headers.authorization;
      if (!auth) return json(res, 401, { detail: 'Not authenticated' }, { 'www-authenticate': 'Bearer' });
      try {
        await jwtVerify(auth.replace(/^Bearer /, ''), new TextEncoder().encode(SERVER_KEY));
        json(res, 200, { username: 'alice' });
      } catch {
        json(res, 401, { detail: 'Could not validate credentials' }, { 'www-authenticate': 'Bearer' });
      }
    });

  it("names a token the API's key does not verify (exit 1), says nothing of a right one (exit 0), prints no key", async () => {
    const server = await api();
    const forged = await sign(OTHER_KEY);
    const wrong = await gatehouse('doctor', `${server.origin}/me`, '--bearer', forged, '--key', SERVER_KEY);
    assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
    assert.match(
      wrong.stdout,
      /^http:\/\/127\.0\.0\.1:\d+\/me: 401 — The token's signature does not verify with the key given/,
    );
    assert.match(wrong.stdout, /\[token_signature_invalid\]/);
    const good = await gatehouse(
      'doctor',
      `${server.origin}/me`,
      '--bearer',
      await sign(SERVER_KEY),
      '--key',
      SERVER_KEY,
      '--json',
    );
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.deepEqual(JSON.parse(good.stdout).findings, []);
    for (const { stdout, stderr } of [wrong, good]) {
      assert.ok(!stdout.includes(SERVER_KEY) && !stderr.includes(SERVER_KEY), 'the key is never printed');
      assert.ok(!stdout.includes(forged), 'nor the token');
    }
  });

  it('bad usage: exit 64, no stack trace, no key', async () => {
    for (const args of [
      ['http://127.0.0.1:1/me', '--bearer', 'x.y.z', '--key', SERVER_KEY, '--jwks', 'http://127.0.0.1:1/jwks'],
      ['http://127.0.0.1:1/me', '--key', '{"kty": "oct"'],
      ['--har', 'file.har', '--key', SERVER_KEY],
    ]) {
      const result = await gatehouse('doctor', ...args);
      assert.equal(result.code, 64, args.join(' '));
      assert.match(
        result.stderr.split('\n')[0]!,
        /^gatehouse doctor: (choose one of --key|--key: |--key, --jwks and --issuer go with)/,
      );
      assert.ok(!/\n\s+at /.test(result.stderr), 'no stack trace');
      assert.ok(!result.stderr.includes(SERVER_KEY));
    }
  });
});
