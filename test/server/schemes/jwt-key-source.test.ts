/**
 * Where the bearer scheme finds its keys: jwt.jwks is an absolute http(s) URL, a mistake is a
 * coded TypeError that names the option to fix; an issuer's JWKS verifies, a kid it does not list is refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { bearerScheme, createGuard, INVALID_ARGUMENT } from '../../../src/server/index.ts';
import { AUDIENCE, ask } from '../../support/guard-fixture.ts';

describe('bearerScheme configuration', () => {
  for (const jwks of ['not a url', 'jwks.json', '/relative/jwks.json']) {
    it(`refuses jwt.jwks ${JSON.stringify(jwks)}, naming jwt.jwks`, () => {
      assert.throws(
        () => bearerScheme({ jwt: { jwks, algorithms: ['ES256'], audience: 'https://api.test' } }),
        (error: Error & { code?: string }) =>
          error instanceof TypeError &&
          error.code === INVALID_ARGUMENT &&
          /^bearerScheme: jwt\.jwks /.test(error.message) &&
          error.message.includes('https://'),
      );
    });
  }

  it('refuses jwt.jwks in another scheme than http(s)', () => {
    assert.throws(
      () =>
        bearerScheme({ jwt: { jwks: 'file:///etc/jwks.json', algorithms: ['ES256'], audience: 'https://api.test' } }),
      { code: INVALID_ARGUMENT, message: /jwt\.jwks/ },
    );
  });

  it('a secret passed as `secret` is told to go in jwt.key', () => {
    const options = { jwt: { secret: 'an-hmac-secret-of-at-least-32-bytes!!', algorithms: ['HS256'] } };
    assert.throws(
      () => bearerScheme(options as never),
      (error: Error & { code?: string }) =>
        error.code === INVALID_ARGUMENT && error.message.includes('jwt.key') && /secret/.test(error.message),
    );
    assert.throws(() => bearerScheme(options as never), { message: /pass jwt\.key/ });
  });
});

describe('configuration', () => {
  it("verifies against an issuer's JWKS URL, and refuses a kid it does not list", async () => {
    const { exportJWK, generateKeyPair } = await import('jose');
    const { startServer, json } = await import('../../support/server.ts');
    const { bearerScheme } = await import('../../../src/server/index.ts');
    const known = await generateKeyPair('ES256');
    const stranger = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(known.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
    const issuer = await startServer((_req, res) => json(res, 200, jwks));
    try {
      const g = createGuard({
        schemes: [
          bearerScheme({
            jwt: { jwks: `${issuer.url}.well-known/jwks.json`, algorithms: ['ES256'], audience: AUDIENCE },
          }),
        ],
      });
      const sign = (key: CryptoKey, kid: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid })
          .setSubject('jwks-user')
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(key);
      assert.equal(
        (await ask(g, { authorization: `Bearer ${await sign(known.privateKey, 'k1')}` })).principal,
        'jwks-user',
      );
      const unknown = await ask(g, { authorization: `Bearer ${await sign(stranger.privateKey, 'k2')}` });
      assert.deepStrictEqual([unknown.status, unknown.body['code']], [401, 'credentials_invalid']);
      assert.equal(unknown.body['detail'], 'No key of the issuer matches the access token (kid).');
    } finally {
      await issuer.close();
    }
  });
});
