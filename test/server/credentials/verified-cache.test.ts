/** The verified-credential cache: it holds no password, is bounded and expires, and spares the hash, never the lookup. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { basicScheme, createGuard, hashPassword, memoryUsers, VerifiedCache } from '../../../src/server/index.ts';
import { basicHeader } from '../../support/guard-fixture.ts';

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

  it('answers only for the very credential it remembered: two tokens that end alike are two credentials', () => {
    const cache = new VerifiedCache<string>({}, { exactKeys: true });
    const signature = '.' + 'S'.repeat(43);
    const alice = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9${signature}`;
    const mallory = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0${signature}`;
    cache.set([alice], 'alice');
    assert.equal(cache.get([mallory]), undefined, "a token with alice's signature and another payload is not hers");
    assert.equal(cache.get([alice]), 'alice');
    cache.set([mallory], 'mallory');
    cache.delete([alice]);
    assert.equal(cache.get([mallory]), 'mallory', 'forgetting one token forgets no other');
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
