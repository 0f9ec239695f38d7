import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redirectUriProblem } from '../../../src/server/tokens/registered-redirect-uri.ts';

describe('what a client may register as a redirect URI', () => {
  it('accepts https, loopback http and a private-use scheme named after a domain', () => {
    for (const good of [
      'https://app.example.com/callback',
      'http://127.0.0.1:53124/callback',
      'http://[::1]:8080/cb',
      'http://localhost:5173/auth',
      'com.example.app:/oauth2redirect',
    ])
      assert.equal(redirectUriProblem(good), undefined, good);
  });

  it('refuses what exact matching cannot make safe, saying why', () => {
    for (const [bad, why] of [
      ['/callback', /not an absolute URI/],
      ['https://app.example.com/cb#frag', /fragment/],
      ['https://user:pw@app.example.com/cb', /user name or password/],
      ['http://app.example.com/cb', /plain http/],
      ['javascript:alert(1)', /scheme javascript/],
      ['myapp:/cb', /scheme myapp/],
    ] as const)
      assert.match(redirectUriProblem(bad) ?? '', why, bad);
  });
});
