/** `gatehouse token inspect` as a newcomer types it: what is not checked, and usage mistakes that hold a secret. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouse } from '../../support/cli.ts';
import { unsignedJwt } from '../../support/jwt.ts';

// A JWT signed with some secret: only its shape matters here.
const TOKEN = unsignedJwt({ alg: 'HS256' }, { sub: 'alice', exp: 4102444800 }, 'c2lnbmF0dXJl');

describe('token inspect, told what was not checked', () => {
  for (const path of ['./jwt-secret', '../keys/api', '~/api.secret', '/etc/app/jwt.secret', 'key.txt']) {
    it(`--key ${path} (no such file) is bad usage in one line, not a secret`, async () => {
      const result = await gatehouse('token', 'inspect', TOKEN, '--key', path);
      assert.equal(result.code, 64);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^gatehouse token inspect: --key: it looks like a file path/);
    });
  }

  it('a base64 secret with a / in it is still a secret', async () => {
    const result = await gatehouse('token', 'inspect', TOKEN, '--key', 'q8Zp/3xYk2Lw9Vb+T0rUeH1sNcQa5mJd');
    assert.notEqual(result.code, 64, result.stderr);
  });

  it('without a key it says the signature was not checked', async () => {
    const result = await gatehouse('token', 'inspect', TOKEN);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /signature not checked: give --key, --jwks or --issuer/);
  });

  it('a --key that names a missing .pem file is bad usage, not an HMAC secret', async () => {
    const result = await gatehouse('token', 'inspect', TOKEN, '--key', 'server-key.pem');
    assert.equal(result.code, 64);
    assert.match(result.stderr, /--key: it looks like a file path, but no such file exists/);
    assert.doesNotMatch(result.stdout, /signature_invalid|weak_hmac_key/);
  });
});

describe('token inspect usage', () => {
  const SECRET = 's3cret-Passw0rd-9f8e7d6c';
  it('token inspect with a second argument does not echo it', async () => {
    const result = await gatehouse('token', 'inspect', TOKEN, SECRET);
    assert.equal(result.code, 64);
    assert.ok(!result.stderr.includes(SECRET.slice(0, 10)), result.stderr);
    assert.equal(
      result.stderr,
      'gatehouse token inspect: one JWT only: a second argument is not read (a key goes after --key) (gatehouse token inspect --help shows the usage)\n',
    );
  });

  for (const date of ['garbage', 'yesterday', '2025-11-15', '1731658351', 'Tue, 15 Nov 2025 08:12:31']) {
    it(`--date ${JSON.stringify(date)} is no HTTP-date: 64, not silently ignored`, async () => {
      const result = await gatehouse('token', 'inspect', TOKEN, '--date', date);
      assert.equal(result.code, 64, result.stdout);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        "gatehouse token inspect: --date takes the server's Date header, an HTTP-date such as 'Tue, 15 Nov 2025 08:12:31 GMT' (gatehouse token inspect --help shows the usage)\n",
      );
    });
  }

  it("--date with the server's Date header judges the times by it", async () => {
    const result = await gatehouse('token', 'inspect', TOKEN, '--date', 'Sat, 01 Jan 2100 00:00:00 GMT');
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /by the server's Date/);
  });

  it('documents --json and --date, and the exit codes', async () => {
    const { code, stdout } = await gatehouse('token', 'inspect', '--help');
    assert.equal(code, 0);
    assert.match(stdout, /^ {2}--json +print the inspection as JSON$/m);
    assert.match(stdout, /^ {2}--date <http-date> +judge the times by the server's Date header/m);
    assert.match(stdout, /\nExit codes:\n {2}0 +valid/);
  });
});
