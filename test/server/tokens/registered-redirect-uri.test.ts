import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegisteredRedirectUri, redirectUriProblem } from '../../../src/server/tokens/registered-redirect-uri.ts';

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

describe('which redirect URI a request may name', () => {
  const registered = ['https://app.example/cb', 'http://127.0.0.1/callback', 'http://[::1]:8080/cb?x=1'];

  it('a registered one, exactly; a loopback IP one on any port (RFC 8252 §7.3), the rest exact', () => {
    for (const uri of [
      'https://app.example/cb',
      'http://127.0.0.1/callback',
      'http://127.0.0.1:53124/callback',
      'http://[::1]:1/cb?x=1',
    ])
      assert.equal(isRegisteredRedirectUri(registered, uri), true, uri);
  });

  it('nothing else: another path, query, case, host spelling, or port off loopback', () => {
    for (const uri of [
      'https://app.example/cb/',
      'https://app.example:443/cb',
      'https://APP.example/cb',
      'https://app.example:8443/cb',
      'http://127.0.0.1:53124/callback/../x',
      'http://127.0.0.1:53124/callback?code=x',
      'http://127.0.0.1:53124/Callback',
      'http://127.0.0.2:53124/callback',
      'http://localhost:53124/callback',
      'http://127.0.0.1:53124/callback#f',
      'http://[::1]:1/cb',
      'http://127.0.0.1:53124@evil.example/callback',
      'http://127.0.0.1:99999/callback',
    ])
      assert.equal(isRegisteredRedirectUri(registered, uri), false, uri);
  });
});
