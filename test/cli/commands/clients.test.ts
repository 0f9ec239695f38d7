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

  it('adds a public client for the authorization-code grant with its redirect URIs, kept in the store', () => {
    const { url } = newStore();
    const added = gatehouseOn(url, [
      'clients',
      'add',
      'cli',
      '--public',
      '--redirect-uri',
      'http://127.0.0.1/callback',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /public; grants authorization_code, refresh_token/);
    assert.match(
      gatehouseOn(url, ['clients', 'list']).stdout,
      /cli +public +authorization_code refresh_token +http:\/\/127\.0\.0\.1\/callback/,
    );
  });

  it('refuses, before opening the store, a redirect URI no exact match makes safe and a code grant without one', () => {
    const { url } = newStore();
    for (const [args, said] of [
      [['--redirect-uri', 'http://app.example/cb'], /--redirect-uri "http:\/\/app\.example\/cb" is plain http/],
      [['--redirect-uri', 'https://app.example/cb#x'], /fragment/],
      [['--grant', 'authorization_code'], /needs at least one --redirect-uri/],
      [['--public'], /give it --redirect-uri/],
    ] as const) {
      const result = gatehouseOn(url, ['clients', 'add', 'x', ...args]);
      assert.equal(result.code, 64, args.join(' '));
      assert.match(result.stderr, said);
    }
    assert.doesNotMatch(gatehouseOn(url, ['clients', 'list']).stdout, /^x /m);
  });
});
