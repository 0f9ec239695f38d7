import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerSecrets, maskHeader, maskSecret } from '../../src/http/index.ts';

describe('maskSecret', () => {
  it('shows the first and last four characters of a long secret', () => {
    assert.equal(maskSecret('eyJhbGciOiJIUzI1NiJ9.payload.signature'), 'eyJh…ture');
  });

  it('shows nothing of a secret too short to keep its secrecy with eight characters shown', () => {
    for (const secret of ['', 'a', 'hunter2', 'fifteen-chars!!']) assert.equal(maskSecret(secret), '…');
  });
});

describe('maskHeader, a Basic credential under another name', () => {
  const value = `Basic ${Buffer.from('alice:pw/4x!').toString('base64')}`;

  it('masks it as a Basic credential: the username at most, no base64 block', () => {
    for (const name of ['X-Forwarded-Authorization', 'X-Upstream-Authorization', 'X-Partner-Credential']) {
      const shown = maskHeader(name, value);
      assert.equal(shown, 'Basic … (user "alice", password hidden)', name);
      assert.ok(headerSecrets(name, value).includes('pw/4x!'), `${name}: its password is a secret to scrub`);
    }
  });

  it('leaves headers that only name credentials alone', () => {
    assert.equal(maskHeader('Access-Control-Allow-Credentials', 'true'), 'true');
    assert.equal(maskHeader('Authentication-Info', 'nextnonce="abc123"'), 'nextnonce="abc123"');
  });
});
