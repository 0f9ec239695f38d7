import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SIGNATURE_SCHEME, signingString, unsignableTarget } from '../../src/http/index.ts';

describe('the signing string', () => {
  it('covers method, authority (lower case), target as given, timestamp, nonce and body digest, in that order', () => {
    assert.equal(
      signingString({
        method: 'post',
        authority: 'API.Example.test:8443',
        target: '/orders?',
        timestamp: '1700000000',
        nonce: 'n1',
        bodySha256: 'ab',
      }),
      [SIGNATURE_SCHEME, 'POST', 'api.example.test:8443', '/orders?', '1700000000', 'n1', 'ab'].join('\n'),
    );
  });
});

describe('unsignableTarget()', () => {
  const signable = [
    '/',
    '/orders',
    '/orders?',
    '/orders?next=../admin&x=%2e%2e',
    '/a.b/c..d/...',
    '/.well-known/openid-configuration',
    '/files/%2e%2e%2e',
    '/group%2Fproject',
    '/a%5Cb',
  ];
  for (const target of signable) {
    it(`accepts ${JSON.stringify(target)}`, () => assert.equal(unsignableTarget(target), undefined));
  }
  const unsignable: Array<[string, RegExp]> = [
    ['/..', /dot segment/],
    ['/a/../b', /dot segment/],
    ['/a/./b', /dot segment/],
    ['/a/.', /dot segment/],
    ['/a/%2e/b', /dot segment/],
    ['/a/%2E%2e/b', /dot segment/],
    ['/a/.%2E/b', /dot segment/],
    ['/a/%2e./b?x=1', /dot segment/],
    ['/a%2f..%2fb', /dot segment/],
    ['/a%5C..%5Cb', /dot segment/],
    ['/a\\b', /backslash/],
    ['/a/..\\b', /backslash/],
    ['http://api.test/orders', /origin-form/],
    ['*', /origin-form/],
    ['', /origin-form/],
  ];
  for (const [target, why] of unsignable) {
    it(`refuses ${JSON.stringify(target)}`, () => assert.match(unsignableTarget(target) ?? '', why));
  }
});
