import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createAuthorizationServer, createTokenService, openStore } from '../../../src/server/index.ts';
import { gatehouseOn, newStore } from '../../support/cli.ts';

describe('gatehouse clients', () => {
  it('adds a confidential client whose secret, shown once, works at the token endpoint', async () => {
    const { url, file } = newStore();
    const added = gatehouseOn(url, ['clients', 'add', 'reporting', '--scope', 'reports']);
    assert.equal(added.code, 0);
    const secret = added.stdout.trim().split('\n').at(-1)!;
    assert.ok(!readFileSync(file).includes(secret));
    const store = await openStore(url);
    const server = createAuthorizationServer({
      service: createTokenService({ store, issuer: 'https://cli.test' }),
      users: store.users,
      clients: store.clients,
    });
    const response = await server.handle(
      new Request('http://cli.test/oauth/token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`reporting:${secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      }),
    );
    assert.equal(response?.status, 200);
    assert.equal((await response!.json()).scope, 'reports');
    await store.close();
    assert.match(gatehouseOn(url, ['clients', 'list']).stdout, /reporting +confidential +client_credentials +reports/);
    assert.equal(gatehouseOn(url, ['clients', 'add', 'spa', '--public', '--grant', 'client_credentials']).code, 64);
    assert.equal(gatehouseOn(url, ['clients', 'remove', 'reporting']).code, 0);
  });
});
