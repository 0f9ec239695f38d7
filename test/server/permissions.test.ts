/** Authorization after authentication: a missing scope is 403 insufficient_scope, a missing role 403 forbidden; never 401. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type Guard, requireAuthLevel, requireRoles, requireScopes } from '../../src/server/index.ts';
import { ask, basicHeader, fixture, jwt } from '../support/guard-fixture.ts';

let guard: Guard;
before(async () => {
  guard = (await fixture()).guard(['bearer', 'basic', 'apiKey']);
});

describe('authorization', () => {
  it('a token without the needed scope: 403 insufficient_scope with scope="…", never 401', async () => {
    const answer = await ask(
      guard,
      { authorization: `Bearer ${await jwt({ scope: 'read' })}` },
      { permission: requireScopes('admin', 'read') },
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.challenge, 'Bearer realm="api", error="insufficient_scope", scope="admin read"');
    assert.equal(answer.body['code'], 'insufficient_scope');
    assert.equal(answer.body['scope'], 'admin read');
  });

  it('a Basic user without the scope also gets 403 insufficient_scope', async () => {
    const answer = await ask(
      guard,
      { authorization: basicHeader('alice', 'alice-password-1') },
      { permission: requireScopes('admin') },
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.body['code'], 'insufficient_scope');
  });

  it('without a role: 403 forbidden, no challenge', async () => {
    const answer = await ask(
      guard,
      { authorization: basicHeader('alice', 'alice-password-1') },
      { permission: requireRoles('admin') },
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.challenge, null);
    assert.equal(answer.body['code'], 'forbidden');
    assert.equal(answer.body['detail'], 'This needs role "admin".');
  });

  it('with everything needed: the principal', async () => {
    const answer = await ask(
      guard,
      { authorization: basicHeader('admin', 'admin-password-1') },
      { permission: requireScopes('admin') },
    );
    assert.deepStrictEqual([answer.status, answer.principal], [200, 'u-admin']);
    const viaToken = await ask(
      guard,
      { authorization: `Bearer ${await jwt({ sub: 'user-9', scope: 'read admin' })}` },
      { permission: requireScopes('admin') },
    );
    assert.deepStrictEqual([viaToken.status, viaToken.principal], [200, 'user-9']);
  });
});

describe('requireAuthLevel: step-up (RFC 9470 §3)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const level = requireAuthLevel({ acr: ['mfa', 'hwk'], maxAge: 300 });

  it('a token of a weaker sign-in: 401 insufficient_user_authentication naming acr_values and max_age', async () => {
    const answer = await ask(
      guard,
      { authorization: `Bearer ${await jwt({ acr: 'pwd', auth_time: now() })}` },
      { permission: level },
    );
    assert.equal(answer.status, 401);
    const bearer = answer.challenge?.split(/, (?=[A-Z])/)[0];
    assert.equal(
      bearer,
      'Bearer realm="api", error="insufficient_user_authentication", error_description="A stronger or more recent sign-in is needed", acr_values="mfa hwk", max_age="300"',
    );
    assert.equal(answer.body['code'], 'insufficient_user_authentication');
    assert.equal(answer.body['acr_values'], 'mfa hwk');
    assert.equal(answer.body['max_age'], 300);
  });

  it('a token without acr or auth_time is refused; one whose sign-in is too old names max_age', async () => {
    const none = await ask(guard, { authorization: `Bearer ${await jwt({})}` }, { permission: level });
    assert.equal(none.status, 401);
    const old = await ask(
      guard,
      { authorization: `Bearer ${await jwt({ acr: 'mfa', auth_time: now() - 301 })}` },
      { permission: requireAuthLevel({ maxAge: 300 }) },
    );
    assert.equal(old.status, 401);
    assert.match(
      old.challenge ?? '',
      /error="insufficient_user_authentication", error_description="[^"]+", max_age="300"/,
    );
    assert.doesNotMatch(old.challenge ?? '', /acr_values/);
  });

  it('a recent sign-in at one of the levels: the principal', async () => {
    const answer = await ask(
      guard,
      { authorization: `Bearer ${await jwt({ sub: 'user-9', acr: 'hwk', auth_time: now() - 10 })}` },
      { permission: level },
    );
    assert.deepStrictEqual([answer.status, answer.principal], [200, 'user-9']);
  });

  it('refuses a level it could not name in a challenge', () => {
    assert.throws(() => requireAuthLevel({}), /give acr, maxAge or both/);
    assert.throws(() => requireAuthLevel({ acr: 'a b' }), /without spaces/);
    assert.throws(() => requireAuthLevel({ acr: [] }), /non-empty/);
    assert.throws(() => requireAuthLevel({ maxAge: -1 }), /whole number/);
  });
});
