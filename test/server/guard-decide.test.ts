/**
 * guard.decide(): the decision authenticate() gives, returned at once when no step waited (a cached
 * token), so adapters spare most requests their promises; a promise where a step waits.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { basicScheme, createGuard, hashPassword, memoryUsers, requireScopes } from '../../src/server/index.ts';
import { type Fixture, fixture, jwt } from '../support/guard-fixture.ts';

const request = (authorization: string) => new Request('http://api.test/me', { headers: { authorization } });

describe('guard.decide()', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });

  it('answers a cached token without a promise, with the same decision authenticate() gives', async () => {
    const guard = f.guard(['bearer']);
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    const first = guard.decide(request(token));
    assert.ok(first instanceof Promise, 'the first sight of a token verifies its signature: a promise');
    assert.deepStrictEqual((await first).outcome, 'authenticated');
    const cached = guard.decide(request(token));
    assert.ok(!(cached instanceof Promise), 'a cached token is decided at once');
    assert.deepStrictEqual(cached, await guard.authenticate(request(token)));
    assert.equal(cached.outcome === 'authenticated' && cached.principal.id, 'u-alice');
  });

  it('gives each request its own principal, so a handler that changes it changes no other request', async () => {
    const guard = f.guard(['bearer']);
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    await guard.decide(request(token));
    const a = guard.decide(request(token));
    const b = guard.decide(request(token));
    assert.ok(!(a instanceof Promise) && !(b instanceof Promise));
    assert.ok(a.outcome === 'authenticated' && b.outcome === 'authenticated');
    a.principal.scopes.push('admin');
    assert.deepStrictEqual(b.principal.scopes, ['read']);
  });

  it('refuses a cached token at once when a synchronous permission says no, and waits for an async one', async () => {
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    const guard = createGuard({
      schemes: [f.schemes.bearer],
      permission: requireScopes('admin'),
    });
    await guard.decide(request(token));
    const refused = guard.decide(request(token));
    assert.ok(!(refused instanceof Promise));
    assert.equal(refused.outcome === 'refused' && refused.refusal.reason, 'insufficient_scope');
    const slow = guard.decide(request(token), {
      permission: { check: async () => true as const, requires: { scopes: [], roles: [] } },
    });
    assert.ok(slow instanceof Promise);
    assert.equal((await slow).outcome, 'authenticated');
  });

  it('answers Basic credentials that verified recently without a promise, each request with its own principal', async () => {
    const users = memoryUsers([
      { id: 'u-b', username: 'bea', passwordHash: await hashPassword('bea-password'), scopes: ['read'], roles: [] },
    ]);
    const guard = createGuard({ schemes: [basicScheme({ users })] });
    const right = request(`Basic ${btoa('bea:bea-password')}`);
    const first = guard.decide(right);
    assert.ok(first instanceof Promise, 'the first sight of a pair hashes the password: a promise');
    assert.equal((await first).outcome, 'authenticated');
    const a = guard.decide(request(`Basic ${btoa('bea:bea-password')}`));
    const b = guard.decide(request(`Basic ${btoa('bea:bea-password')}`));
    assert.ok(!(a instanceof Promise) && !(b instanceof Promise), 'a remembered pair is decided at once');
    assert.ok(a.outcome === 'authenticated' && b.outcome === 'authenticated');
    a.principal.scopes.push('admin');
    assert.deepStrictEqual(b.principal.scopes, ['read']);
    // A wrong password is never answered from memory: it costs a hash, so it waits.
    const wrong = guard.decide(request(`Basic ${btoa('bea:not-the-password')}`));
    assert.ok(wrong instanceof Promise);
    assert.equal((await wrong).outcome, 'refused');
  });

  it('turns a store that answers with a bare thenable into a real Promise, which is what adapters test for', async () => {
    const user = {
      id: 'u-t',
      username: 'thenable',
      passwordHash: await hashPassword('thenable-password'),
      scopes: [],
      roles: [],
    };
    const users = {
      findUserByName: (name: string) => ({
        // biome-ignore lint/suspicious/noThenProperty: the point of the test is a bare thenable
        then: (resolve: (u: unknown) => void) => resolve(name === 'thenable' ? user : undefined),
      }),
    };
    const guard = createGuard({ schemes: [basicScheme({ users: users as never })] });
    const pending = guard.decide(request(`Basic ${btoa('thenable:thenable-password')}`));
    assert.ok(pending instanceof Promise);
    assert.equal((await pending).outcome, 'authenticated');
  });

  it('takes the scheme name in any case (RFC 9110 §11.1), and only a whole name', async () => {
    const guard = f.guard(['bearer']);
    const token = await jwt({ sub: 'u-alice' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const decision = await guard.decide(request(`${scheme} ${token}`));
      assert.equal(decision.outcome, 'authenticated', scheme);
    }
    const users = memoryUsers([
      { id: 'u-c', username: 'cy', passwordHash: await hashPassword('cy-password'), scopes: [], roles: [] },
    ]);
    const basic = createGuard({ schemes: [basicScheme({ users })] });
    assert.equal((await basic.decide(request(`BASIC ${btoa('cy:cy-password')}`))).outcome, 'authenticated');
    const other = await guard.decide(request(`Bearerx ${token}`));
    assert.equal(other.outcome === 'refused' && other.refusal.reason, 'scheme_unsupported');
  });

  it('revocation is still asked on every cached request, and a revoked token is refused', async () => {
    // The fixture's bearer scheme asks isRevoked against f.revoked.
    const guard = f.guard(['bearer']);
    const token = `Bearer ${await jwt({ sub: 'u-alice', jti: 'j-decide-1' })}`;
    assert.equal((await guard.decide(request(token))).outcome, 'authenticated');
    f.revoked.add('j-decide-1');
    const decision = guard.decide(request(token));
    assert.ok(!(decision instanceof Promise));
    assert.equal(decision.outcome === 'refused' && decision.refusal.reason, 'token_revoked');
  });
});
