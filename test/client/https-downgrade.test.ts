import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { selfSignedCertificate } from '../support/self-signed.ts';

describe('redirects from https to http', () => {
  it('drop the credentials: the http origin never sees the token or the cookie', async () => {
    const { cert, key } = selfSignedCertificate();
    const worker = join(import.meta.dirname, '../support/https-downgrade-worker.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [worker, cert, key], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      timeout: 20_000,
    });
    const { direct, redirected } = JSON.parse(stdout);
    assert.equal(direct.authorization, 'Bearer token-for-https-only', 'the https origin gets the token');
    assert.deepStrictEqual(redirected, { authorization: null, cookie: null });
  });
});
