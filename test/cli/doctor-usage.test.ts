/** `gatehouse doctor` and `token inspect` as a newcomer types them: help, usage mistakes, what is not checked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouse } from '../support/cli.ts';

// A JWT signed with some secret: only its shape matters here.
const TOKEN = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"alice","exp":4102444800}').toString('base64url')}.c2lnbmF0dXJl`;

describe('doctor usage', () => {
  it('doctor --help prints the doctor usage and exits 0', async () => {
    const result = await gatehouse('doctor', '--help');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^gatehouse doctor <url>/);
    assert.match(result.stdout, /exit 0 it works, 1 a cause was named/);
    assert.equal(result.stderr, '');
  });

  it('--basic without a colon is bad usage (64), said in one line, the value not echoed', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:9/', '--basic', 'alicewonderland');
    assert.equal(result.code, 64);
    assert.match(result.stderr.split('\n')[0]!, /^gatehouse doctor: --basic takes USER:PASS, with a colon/);
    assert.doesNotMatch(result.stderr, /alicewonderland|\n\s+at /);
  });

  it('a header the library cannot send is bad usage (64), not "a cause was found" (1)', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:9/', '-X', 'GET POST');
    assert.equal(result.code, 64, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

describe('token inspect, told what was not checked', () => {
  it('without a key it says the signature was not checked', async () => {
    const result = await gatehouse('token', 'inspect', TOKEN);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /signature not checked: give --key, --jwks or --issuer/);
  });

  it('a --key that names a missing .pem file is bad usage, not an HMAC secret', async () => {
    const result = await gatehouse('token', 'inspect', TOKEN, '--key', 'server-key.pem');
    assert.equal(result.code, 64);
    assert.match(result.stderr, /--key: it names a \.pem file that does not exist/);
    assert.doesNotMatch(result.stdout, /signature_invalid|weak_hmac_key/);
  });
});
