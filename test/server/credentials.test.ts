import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  ARGON2_AVAILABLE,
  apiKeyId,
  apiKeyMatches,
  basicScheme,
  createApiKey,
  createGuard,
  hashPassword,
  memoryUsers,
  VerifiedCache,
  verifyPassword,
} from '../../src/server/index.ts';
import { basicHeader } from '../support/guard-fixture.ts';

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

describe('the verified-credential cache', () => {
  it('remembers a verified pair, forgets a changed password at once, and never caches a failure', async () => {
    const users = memoryUsers([{ id: 'u1', username: 'ann', passwordHash: await hashPassword('first-password') }]);
    const scheme = basicScheme({ users });
    const guard = createGuard({ schemes: [scheme] });
    const ask = async (password: string) =>
      (await guard.authenticate(new Request('http://x/', { headers: { authorization: basicHeader('ann', password) } })))
        .outcome;
    assert.equal(await ask('first-password'), 'authenticated');
    assert.equal(scheme.cache?.size, 1);
    assert.equal(await ask('wrong'), 'refused');
    assert.equal(scheme.cache?.size, 1);
    users.put({ id: 'u1', username: 'ann', passwordHash: await hashPassword('second-password') });
    assert.equal(await ask('first-password'), 'refused', 'the old password stops working the moment the hash changes');
    assert.equal(await ask('second-password'), 'authenticated');
  });

  it('spares the hash, never the lookup: a remembered pair is decided at once from the current record, and a wrong password sends the next one through a full sign-in', async () => {
    const users = memoryUsers([
      { id: 'u1', username: 'ann', passwordHash: await hashPassword('first-password'), roles: ['admin'] },
    ]);
    const guard = createGuard({ schemes: [basicScheme({ users })] });
    const decide = (password: string) =>
      guard.decide(new Request('http://x/', { headers: { authorization: basicHeader('ann', password) } }));
    const first = decide('first-password');
    assert.ok(first instanceof Promise, 'the first sight is hashed');
    assert.equal((await first).outcome, 'authenticated');
    const remembered = decide('first-password');
    assert.ok(!(remembered instanceof Promise) && remembered.outcome === 'authenticated');
    assert.deepStrictEqual(remembered.principal.roles, ['admin']);
    const { passwordHash } = (await users.findUserByName('ann'))!;
    users.put({ id: 'u1', username: 'ann', passwordHash, roles: [] });
    const demoted = decide('first-password');
    assert.ok(!(demoted instanceof Promise) && demoted.outcome === 'authenticated');
    assert.deepStrictEqual(demoted.principal.roles, [], 'roles as the store holds them now');
    assert.equal((await decide('wrong')).outcome, 'refused');
    const after = decide('first-password');
    assert.ok(after instanceof Promise, 'after a wrong password, the right one is signed in (counted) again');
    assert.equal((await after).outcome, 'authenticated');
    assert.ok(!(decide('first-password') instanceof Promise), 'and then remembered again');
  });

  it('holds no password: keys are SHA-256 digests under a per-process key, and inspect shows nothing', () => {
    const cache = new VerifiedCache<string>();
    cache.set(['ann', 'hunter2-password', '$argon2id$…'], 'principal');
    assert.equal(cache.get(['ann', 'hunter2-password', '$argon2id$…']), 'principal');
    assert.equal(
      cache.get(['ann', 'hunter2-passwor', 'd$argon2id$…']),
      undefined,
      'parts are length-prefixed, so shifting a boundary misses',
    );
    assert.ok(!inspect(cache, { showHidden: true, depth: 5 }).includes('hunter2'));
  });

  it('is bounded and expires entries', () => {
    const cache = new VerifiedCache<number>({ maxEntries: 3, ttlMs: 1000 });
    for (let i = 0; i < 5; i++) cache.set([String(i)], i, 0);
    assert.equal(cache.size, 3);
    assert.equal(cache.get(['0'], 10), undefined);
    assert.equal(cache.get(['4'], 10), 4);
    assert.equal(cache.get(['4'], 1001), undefined);
  });
});

describe('API keys', () => {
  it('are prefix-identified random keys, stored as a hash, shown once', () => {
    const created = createApiKey({ prefix: 'acme' });
    assert.match(created.key, /^acme_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(apiKeyId(created.key), created.id);
    assert.match(created.hash, /^[0-9a-f]{64}$/);
    assert.ok(!created.hash.includes(created.key));
    assert.equal(apiKeyMatches(created.key, created.hash), true);
    assert.equal(apiKeyMatches(`${created.key}x`, created.hash), false);
    assert.equal(apiKeyId('acme_short_x'), undefined);
  });
});

describe('session cookies', () => {
  it('are HttpOnly, Secure and SameSite=Lax, signed, with a CSRF token bound to the session', async () => {
    const { issueSession } = await import('../../src/server/index.ts');
    const issued = issueSession('session-id-abcdefghijklmnop', { secret: 'a-session-secret-of-at-least-32-bytes!!' });
    assert.match(
      issued.setCookie,
      /^gh_session=session-id-abcdefghijklmnop\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    assert.match(issued.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.throws(() => issueSession('short', { secret: 'a-session-secret-of-at-least-32-bytes!!' }), /16–128/);
    assert.throws(() => issueSession('session-id-abcdefghijklmnop', { secret: 'too-short' }), /at least 32 bytes/);
  });
});

describe('comparisons of secrets are constant-time', () => {
  it('no server file compares a secret with === or Buffer.equals', () => {
    const dir = join(import.meta.dirname, '../../src/server');
    const files = (function walk(d: string): string[] {
      return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    })(dir);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      assert.doesNotMatch(
        source,
        /(signature|secret|hash|password|token|mac)\w*\s*===\s*\w*(signature|secret|hash|password|token|mac|expected)/i,
        file,
      );
      assert.doesNotMatch(source, /\.equals\(/, file);
    }
  });
});
