/** Authorization after authentication: a missing scope is 403 insufficient_scope, a missing role 403 forbidden; never 401. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type Guard, requireRoles, requireScopes } from '../../src/server/index.ts';
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
