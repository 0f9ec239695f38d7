/** bearerScheme's configuration mistakes are coded TypeErrors that name the option to fix. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerScheme, INVALID_ARGUMENT } from '../../src/server/index.ts';

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
