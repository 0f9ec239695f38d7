/**
 * Refresh tokens: rotated on every use, reuse detected and the family revoked (RFC 9700 §4.14.2), a
 * grace window for a repeat; the resources of the grant kept through every rotation (RFC 8707 §2.2).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createTokenService, memoryStore, TokenGrantError } from '../../../src/server/index.ts';
import { API, ISSUER, REPORTS } from '../../support/code-flow.ts';
import { post, type World, world } from '../../support/token-world.ts';

describe('refresh-token rotation and reuse detection (RFC 9700 §4.14.2)', () => {
  let w: World;
  before(async () => {
    w = await world({ grace: 300 });
  });
  after(() => w.close());
  const refresh = (refreshToken: string) =>
    post(`${w.url}/oauth/token`, { grant_type: 'refresh_token', client_id: 'web', refresh_token: refreshToken });
  const login = async () =>
    (
      await post(`${w.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: 'alice-password-1',
      })
    ).body as { refresh_token: string; access_token: string };

  it('rotates on every use: each refresh returns a new refresh token', async () => {
    const first = await login();
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    const third = await refresh(second.body.refresh_token);
    assert.equal(third.status, 200);
  });

  it('presenting a rotated token after the grace window revokes the whole family', async () => {
    const first = await login();
    const second = (await refresh(first.refresh_token)).body;
    await new Promise((r) => setTimeout(r, 400));
    const reuse = await refresh(first.refresh_token);
    assert.deepStrictEqual([reuse.status, reuse.body.error], [400, 'invalid_grant']);
    assert.match(reuse.body.error_description, /already used; its whole family is revoked/);
    // The legitimate holder's newer token dies with the family.
    const legit = await refresh(second.refresh_token);
    assert.deepStrictEqual([legit.status, legit.body.error], [400, 'invalid_grant']);
  });

  it('two concurrent refreshes with the same token inside the grace window both succeed, with one successor between them', async () => {
    const first = await login();
    const [a, b] = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    assert.deepStrictEqual([a.status, b.status], [200, 200]);
    assert.equal(a.body.refresh_token, b.body.refresh_token, 'the chain does not fork');
    assert.equal((await refresh(a.body.refresh_token)).status, 200);
  });

  it('a refresh cannot widen the scope, but may narrow it', async () => {
    const first = (
      await post(`${w.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: 'alice-password-1',
        scope: 'read',
      })
    ).body;
    const wider = await post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: first.refresh_token,
      scope: 'read write',
    });
    assert.deepStrictEqual([wider.status, wider.body.error], [400, 'invalid_scope']);
  });
});

describe('a refresh token keeps the resources of its grant (RFC 8707 §2.2)', () => {
  const alice = { id: 'u-alice', roles: [], scopes: ['read'] };
  const options = { clientId: 'app', currentIdentity: () => alice };
  const service = createTokenService({ store: memoryStore(), issuer: ISSUER, resources: [API, REPORTS] });
  const audOf = (pair: { access_token: string }) => decodeJwt(pair.access_token).aud;

  it('keeps the audience it was issued with, and all of a grant’s resources when the first token narrowed', async () => {
    const one = await service.issue(alice, { clientId: 'app', scope: 'read', audience: API });
    assert.equal(audOf(await service.refresh(one.refresh_token!, options)), API);
    const narrowed = await service.issue(alice, {
      clientId: 'app',
      scope: 'read',
      audience: REPORTS,
      resources: [API, REPORTS],
    });
    assert.equal(audOf(narrowed), REPORTS);
    assert.deepEqual(audOf(await service.refresh(narrowed.refresh_token!, options)), [API, REPORTS]);
  });

  it('refuses a resource outside the grant with invalid_target, without rotating the token', async () => {
    const first = await service.issue(alice, { clientId: 'app', scope: 'read', audience: API });
    await assert.rejects(
      service.refresh(first.refresh_token!, { ...options, resource: REPORTS }),
      (error) => error instanceof TokenGrantError && error.oauthError === 'invalid_target',
    );
    const plain = await service.issue(alice, { clientId: 'app', scope: 'read' });
    await assert.rejects(service.refresh(plain.refresh_token!, { ...options, resource: API }), /RFC 8707/);
    // Neither was rotated: each still refreshes once, and then is rotated out.
    for (const token of [first.refresh_token!, plain.refresh_token!]) {
      const next = await service.refresh(token, options);
      assert.notEqual(next.refresh_token, token);
    }
  });

  it('a rotated token presented for a resource outside its grant is a copy: the family is revoked', async () => {
    const first = await service.issue(alice, { clientId: 'app', scope: 'read', audience: API });
    const second = await service.refresh(first.refresh_token!, options);
    // Inside the grace window a plain repeat would get `second` back; this one asks for more.
    await assert.rejects(service.refresh(first.refresh_token!, { ...options, resource: REPORTS }), /revoked/);
    await assert.rejects(service.refresh(second.refresh_token!, options), /revoked/);
  });
});
