import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  apiKeyScheme,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  openStore,
  verifyPassword,
} from '../../../src/server/index.ts';
import { gatehouseSync } from '../../support/cli.ts';

const gatehouse = (store: string, args: string[], input = '') => gatehouseSync([...args, '--store', store], { input });

const newStore = () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gh-cli-')), 'gatehouse.db');
  return { url: `sqlite:${file}`, file };
};

describe('gatehouse users', () => {
  it('adds a user with the password from stdin, stored only as an argon2id hash; lists, changes, removes', async () => {
    const { url, file } = newStore();
    assert.equal(
      gatehouse(url, ['users', 'add', 'alice', '--scope', 'read', '--role', 'admin'], 'first-password\n').code,
      0,
    );
    assert.ok(!readFileSync(file).includes('first-password'), 'the password is not in the database');
    const listed = gatehouse(url, ['users', 'list']);
    assert.match(listed.stdout, /^USERNAME +ID +SCOPES +ROLES\nalice +u_[0-9a-f-]{36} +read +admin\n$/);
    assert.ok(!listed.stdout.includes('$argon2id'), 'hashes are not listed');
    assert.equal(gatehouse(url, ['users', 'passwd', 'alice'], 'second-password').code, 0);
    const store = await openStore(url);
    const user = await store.users.findUserByName('alice');
    assert.equal(await verifyPassword('second-password', user!.passwordHash), true);
    assert.equal(await verifyPassword('first-password', user!.passwordHash), false);
    await store.close();
    assert.equal(gatehouse(url, ['users', 'remove', 'alice']).code, 0);
    assert.equal(gatehouse(url, ['users', 'list']).stdout, 'USERNAME  ID  SCOPES  ROLES\n');
  });

  it('says what is wrong: an existing user, a short password, a missing name, an unknown action', () => {
    const { url } = newStore();
    gatehouse(url, ['users', 'add', 'bob'], 'long-enough-1');
    const again = gatehouse(url, ['users', 'add', 'bob'], 'long-enough-2');
    assert.deepStrictEqual(
      [again.code, again.stderr.trim()],
      [1, 'gatehouse users add: bob exists already; use users passwd to change the password'],
    );
    assert.equal(gatehouse(url, ['users', 'add', 'carol'], 'short').code, 1);
    assert.equal(gatehouse(url, ['users', 'add']).code, 64);
    assert.equal(gatehouse(url, ['users', 'frob']).code, 64);
    assert.equal(gatehouse(url, ['users', 'list', '--nope']).code, 64);
    assert.equal(gatehouse(url, ['users', 'remove', 'nobody']).code, 1);
  });
});

describe('gatehouse keys', () => {
  it('creates a key shown once and stored hashed; rotates it with an overlap; revokes', async () => {
    const { url, file } = newStore();
    const created = gatehouse(url, ['keys', 'create', '--id', 'svc-reports', '--scope', 'read', '--expires', '90d']);
    assert.equal(created.code, 0);
    const key = created.stdout.trim().split('\n')[1]!;
    assert.match(key, /^gh_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    // The secret part may itself contain "_": take everything after the id.
    const [, keyId, secret] = /^gh_([a-z0-9]{12})_(.+)$/.exec(key)!;
    assert.ok(!readFileSync(file).includes(secret!), 'the secret part is not in the database');

    const rotated = gatehouse(url, ['keys', 'rotate', keyId!, '--overlap', '2h']);
    assert.equal(rotated.code, 0);
    const newKey = rotated.stdout.trim().split('\n')[1]!;

    const store = await openStore(url);
    const guard = createGuard({ schemes: [apiKeyScheme({ header: 'X-API-Key', keys: store.apiKeys })] });
    const principal = async (k: string) => {
      const decision = await guard.authenticate(new Request('http://x/', { headers: { 'x-api-key': k } }));
      return decision.outcome === 'authenticated' ? decision.principal.id : decision.outcome;
    };
    assert.equal(await principal(key), 'svc-reports', 'the old key works during the overlap');
    assert.equal(await principal(newKey), 'svc-reports');
    const old = await store.apiKeys.findApiKey(keyId!);
    assert.ok(Math.abs(old!.expiresAt! - (Date.now() + 2 * 3_600_000)) < 60_000);

    assert.equal(gatehouse(url, ['keys', 'revoke', keyId!]).code, 0);
    assert.equal(await principal(key), 'refused');
    assert.match(gatehouse(url, ['keys', 'list']).stdout, new RegExp(`${keyId} +svc-reports +read +\\S+ +revoked`));
    await store.close();
  });

  it('refuses a bad duration and a missing principal', () => {
    const { url } = newStore();
    assert.equal(gatehouse(url, ['keys', 'create', '--id', 'x', '--expires', 'soon']).code, 64);
    assert.equal(gatehouse(url, ['keys', 'create']).code, 64);
  });
});

describe('gatehouse clients', () => {
  it('adds a confidential client whose secret, shown once, works at the token endpoint', async () => {
    const { url, file } = newStore();
    const added = gatehouse(url, ['clients', 'add', 'reporting', '--scope', 'reports']);
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
    assert.match(gatehouse(url, ['clients', 'list']).stdout, /reporting +confidential +client_credentials +reports/);
    assert.equal(gatehouse(url, ['clients', 'add', 'spa', '--public', '--grant', 'client_credentials']).code, 64);
    assert.equal(gatehouse(url, ['clients', 'remove', 'reporting']).code, 0);
  });
});
