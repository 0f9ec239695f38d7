/** Password hashes: argon2id in PHC form where the runtime has it, scrypt on request; a stored value that is no hash never matches. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARGON2_AVAILABLE, hashPassword, verifyPassword } from '../../../src/server/index.ts';

describe('password hashes', () => {
  it('are argon2id on Node 24, in PHC form, salted, and verify only the right password', async () => {
    assert.equal(ARGON2_AVAILABLE, true);
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(a, b, 'a fresh salt each time');
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horse ', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('scrypt hashes are made on request and keep verifying', async () => {
    const hash = await hashPassword('pässwörd', { algorithm: 'scrypt' });
    assert.match(hash, /^\$scrypt\$ln=17,r=8,p=1\$/);
    assert.equal(await verifyPassword('pässwörd', hash), true);
    assert.equal(await verifyPassword('passwort', hash), false);
  });

  it('a stored value that is no hash never matches, and never throws', async () => {
    for (const stored of ['', 'plaintext', '$argon2id$v=19$m=1$x$y', '$scrypt$ln=99,r=8,p=1$AAAA$BBBB', '$md5$abc']) {
      assert.equal(await verifyPassword('plaintext', stored), false, stored);
    }
  });
});
