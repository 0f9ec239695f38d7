import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  malformedNonce,
  NONCE_FORMAT,
  SIGNATURE_SCHEME,
  signingString,
  unsignableTarget,
} from '../../src/http/index.ts';

describe('the signing string', () => {
  it('covers keyId as sent, method, authority (lower case), target as given, timestamp, nonce and body digest, in that order', () => {
    assert.equal(
      signingString({
        keyId: 'Key-1',
        method: 'post',
        authority: 'API.Example.test:8443',
        target: '/orders?',
        timestamp: '1700000000',
        nonce: 'n1',
        bodySha256: 'ab',
      }),
      [SIGNATURE_SCHEME, 'Key-1', 'POST', 'api.example.test:8443', '/orders?', '1700000000', 'n1', 'ab'].join('\n'),
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

describe('malformedNonce()', () => {
  const wellFormed = [
    '0123456789abcdef',
    'a'.repeat(128),
    '3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b',
    'base64url_nonce-AZaz09',
  ];
  for (const nonce of wellFormed) {
    it(`takes ${JSON.stringify(nonce)}`, () => assert.equal(malformedNonce(nonce), undefined));
  }
  const malformed = [
    '',
    '0123456789abcde',
    'a'.repeat(129),
    'a'.repeat(16_000),
    'base64/with+plus=0123',
    'spaces in the nonce 0123',
    'colon:0123456789abcdef',
    'dot.0123456789abcdef',
    '\u00fcmlaut-0123456789abcdef',
    'nul\u0000-0123456789abcdef',
    '0123456789abcdef\n',
  ];
  for (const nonce of malformed) {
    it(`refuses ${JSON.stringify(nonce.slice(0, 40))} (${nonce.length} characters)`, () =>
      assert.match(malformedNonce(nonce) ?? '', /16 to 128 characters of A-Za-z0-9_-/));
  }
  it('documents its format', () =>
    assert.deepStrictEqual({ ...NONCE_FORMAT }, { minLength: 16, maxLength: 128, characters: 'A-Za-z0-9_-' }));
});
