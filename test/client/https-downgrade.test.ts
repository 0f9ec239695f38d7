import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

describe('redirects from https to http', () => {
  it('drop the credentials: the http origin never sees the token or the cookie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    // A throwaway self-signed certificate for 127.0.0.1 (openssl ships with the machine image).
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
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
