import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { apiKeyScheme, createGuard, openStore } from '../../../src/server/index.ts';
import { gatehouseOn, newStore } from '../../support/cli.ts';

describe('gatehouse keys', () => {
  it('creates a key shown once and stored hashed; rotates it with an overlap; revokes', async () => {
    const { url, file } = newStore();
    const created = gatehouseOn(url, ['keys', 'create', '--id', 'svc-reports', '--scope', 'read', '--expires', '90d']);
    assert.equal(created.code, 0);
    const key = created.stdout.trim().split('\n')[1]!;
    assert.match(key, /^gh_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    // The secret part may itself contain "_": take everything after the id.
    const [, keyId, secret] = /^gh_([a-z0-9]{12})_(.+)$/.exec(key)!;
    assert.ok(!readFileSync(file).includes(secret!), 'the secret part is not in the database');

    const rotated = gatehouseOn(url, ['keys', 'rotate', keyId!, '--overlap', '2h']);
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

    assert.equal(gatehouseOn(url, ['keys', 'revoke', keyId!]).code, 0);
    assert.equal(await principal(key), 'refused');
    assert.match(gatehouseOn(url, ['keys', 'list']).stdout, new RegExp(`${keyId} +svc-reports +read +\\S+ +revoked`));
    await store.close();
  });

  it('refuses a bad duration and a missing principal', () => {
    const { url, file } = newStore();
    assert.equal(gatehouseOn(url, ['keys', 'create', '--id', 'x', '--expires', 'soon']).code, 64);
    assert.equal(gatehouseOn(url, ['keys', 'create']).code, 64);
    assert.equal(
      gatehouseOn(url, ['keys', 'create']).stderr,
      'gatehouse keys create: --id is needed: the principal the key acts as (gatehouse keys create --help shows the usage)\n',
    );
    assert.ok(!existsSync(file), 'checked before the store is opened');
  });

  it('refuses a --prefix a key cannot start with as bad usage (64), not a failure (1)', () => {
    const { url, file } = newStore();
    for (const prefix of ['GH', '1x', 'a_b', '']) {
      const result = gatehouseOn(url, ['keys', 'create', '--id', 'x', `--prefix=${prefix}`]);
      assert.equal(result.code, 64, prefix);
      assert.match(result.stderr, /^gatehouse keys create: --prefix takes 1 to 16 lower-case letters and digits/);
    }
    assert.ok(!existsSync(file));
  });
});
