/**
 * fileDpopKey: a DPoP key kept in a 0600 file, so the next process signs with the same key and can
 * refresh the bound refresh token the last one kept in its fileTokenStore (against Gatehouse's
 * authorization server with DPoP and nonces on). A file others may read, or a damaged one, is a
 * DpopKeyFileError, never a new key; the private key shows up in no message and no inspect output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { decodeJwt } from 'jose';
import { DpopKeyFileError, fileDpopKey, fileTokenStore } from '../../src/client/file-store.ts';
import { oauth2RefreshToken } from '../../src/client/index.ts';
import { type DpopWorld, dpopWorld } from '../support/dpop-world.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'gh-dkey-')), 'tokens.json.dpop-key');
const privatePart = (file: string): string => JSON.parse(readFileSync(file, 'utf8')).jwk.d;
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail('expected a DpopKeyFileError'),
    (e) => e,
  );

describe('fileDpopKey', () => {
  it('makes one key 0600 on first use, and every later instance signs with it', async () => {
    const file = fresh();
    // Two starting at once make one key between them (the lock file).
    const [a, b] = await Promise.all([fileDpopKey(file), fileDpopKey(file)]);
    const c = await fileDpopKey(file);
    const thumbprint = await a.thumbprint();
    assert.equal(await b.thumbprint(), thumbprint);
    assert.equal(await c.thumbprint(), thumbprint);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(file, '..')), ['tokens.json.dpop-key'], 'no lock or temporary file left');
    const d = privatePart(file);
    assert.ok(d.length > 20);
    await c.proof('GET', new URL('https://api.test/x'));
    assert.ok(!inspect(c, { showHidden: true, depth: Number.POSITIVE_INFINITY }).includes(d));
  });

  it('refuses a key file others may read, saying to chmod 600 it, and keeps it', async () => {
    const file = fresh();
    const thumbprint = await (await fileDpopKey(file)).thumbprint();
    const d = privatePart(file);
    chmodSync(file, 0o644);
    const error = await refusal(fileDpopKey(file));
    assert.ok(error instanceof DpopKeyFileError);
    assert.equal(error.code, 'ERR_GATEHOUSE_DPOP_KEY_FILE');
    assert.match(error.message, /mode 0644.*chmod 600/);
    assert.ok(!inspect(error).includes(d));
    assert.equal(privatePart(file), d, 'the key is not replaced');
    chmodSync(file, 0o600);
    assert.equal(await (await fileDpopKey(file)).thumbprint(), thumbprint);
  });

  it('refuses a damaged key file without quoting it, and never makes a new key over it', async () => {
    const file = fresh();
    await fileDpopKey(file);
    const whole = readFileSync(file, 'utf8');
    const d = privatePart(file);
    const other = fresh();
    await fileDpopKey(other);
    const mismatched = JSON.parse(whole);
    mismatched.jwk.x = JSON.parse(readFileSync(other, 'utf8')).jwk.x;
    for (const broken of [
      whole.slice(0, -10), // cut short: the parser's message would quote the private key
      JSON.stringify({ ...JSON.parse(whole), kind: 'something-else' }),
      JSON.stringify({ version: 1, kind: 'gatehouse-dpop-key', jwk: { kty: 'RSA', d } }),
      JSON.stringify(mismatched), // a private half that does not go with the public one
      '',
    ]) {
      writeFileSync(file, broken, { mode: 0o600 });
      const error = await refusal(fileDpopKey(file));
      assert.ok(error instanceof DpopKeyFileError, String(error));
      assert.match(error.message, /is not a Gatehouse DPoP key file.*restore it from a backup, or delete it/);
      assert.ok(!inspect(error, { showHidden: true }).includes(d), 'the private key is never in the error');
      assert.equal(readFileSync(file, 'utf8'), broken, 'the file is left for the user to decide');
    }
  });

  it('says so when the key file cannot be read (here: its folder is a file), whoever runs it', async () => {
    const notAFolder = fresh();
    writeFileSync(notAFolder, 'a file, not a folder');
    const error = await refusal(fileDpopKey(join(notAFolder, 'key.json')));
    assert.ok(error instanceof DpopKeyFileError);
    assert.match(
      error.message,
      /Cannot use the DPoP key file .*\((EEXIST|ENOTDIR)\): check that its folder can be made/,
    );
  });

  it('refuses an empty path', async () => {
    await assert.rejects(fileDpopKey(''), { code: 'ERR_GATEHOUSE_INVALID_ARGUMENT' });
  });
});

/** The next process: the same key file and token file, one API call that must refresh first. */
const nextProcess = `
const [keyFile, tokenFile, url] = process.argv.slice(1);
const { fileDpopKey, fileTokenStore } = await import(${JSON.stringify(new URL('../../src/client/file-store.ts', import.meta.url).href)});
const { bearer, createClient, oauth2RefreshToken } = await import(${JSON.stringify(new URL('../../src/client/index.ts', import.meta.url).href)});
const key = await fileDpopKey(keyFile);
const tokenUrl = url + '/oauth/token';
const source = oauth2RefreshToken({ tokenUrl, clientId: 'web', refreshToken: 'from-the-store', dpop: key, store: fileTokenStore(tokenFile) });
const client = createClient({ baseUrl: url, auth: bearer(source, { dpop: key }) });
const me = await (await client.get('api/me')).json();
console.log(JSON.stringify({ thumbprint: await key.thumbprint(), me }));
`;

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', nextProcess, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

describe('a bound refresh token kept by one process and refreshed by the next', () => {
  let w: DpopWorld;
  before(async () => {
    w = await dpopWorld({}, { nonce: { secret: 'nonce-secret-of-at-least-32-bytes!!' } });
  });
  after(() => w.close());

  it('the next process signs with the same key and refreshes the stored refresh token', async () => {
    const keyFile = fresh();
    const tokenFile = join(keyFile, '..', 'tokens.json');
    const key = await fileDpopKey(keyFile);
    const tokenUrl = new URL(`${w.url}/oauth/token`);
    const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
    const ask = async () => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { dpop: await key.proof('POST', tokenUrl) },
        body: new URLSearchParams(form),
      });
      key.rememberNonce(tokenUrl, response);
      return response;
    };
    assert.equal((await ask()).status, 400, 'use_dpop_nonce first');
    const { refresh_token } = await (await ask()).json();
    const thumbprint = await key.thumbprint();
    assert.match(refresh_token, new RegExp(`\\.${thumbprint}$`), 'the refresh token is bound to the key');
    // This process refreshes once (the token rotates) and keeps the result in the token file.
    const store = fileTokenStore(tokenFile);
    const first = await oauth2RefreshToken({
      tokenUrl,
      clientId: 'web',
      refreshToken: refresh_token,
      dpop: key,
      store,
    }).getToken();
    // Time passes: the access token kept in the file has expired, so the next process must refresh.
    const [name] = Object.keys(JSON.parse(readFileSync(tokenFile, 'utf8')).tokens);
    await store.set(name!, { ...first, expiresAt: Date.now() - 1000 });

    const answer = JSON.parse(await run([keyFile, tokenFile, w.url]));
    assert.equal(answer.thumbprint, thumbprint);
    assert.deepEqual(answer.me, { id: 'u-alice', scheme: 'dpop' });
    const kept = JSON.parse(readFileSync(tokenFile, 'utf8')).tokens[name!];
    assert.notEqual(kept.accessToken, first.accessToken, 'the next process refreshed');
    assert.notEqual(kept.refreshToken, first.refreshToken, 'and the refresh token rotated');
    assert.deepEqual(decodeJwt(kept.accessToken).cnf, { jkt: thumbprint });
  });
});
