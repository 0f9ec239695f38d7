import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createTokenService, type GatehouseStore, openStore, TokenGrantError } from '../../src/server/index.ts';
import { migrations, schemaV1, schemaV2 } from '../../src/stores/sql-schema.ts';
import type { SqliteStore } from '../../src/stores/sqlite.ts';
import { code, codesRedeemOnce } from '../support/code-behaviour.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';
import { token } from '../support/store-behaviour.ts';

/** A client as schema version 4 held it, before clients had redirect URIs. */
const OLD_CLIENT =
  "INSERT INTO gatehouse_clients (client_id, secret_hash, name, grants, scopes) VALUES ('svc', 'abab', 'Service', '[\"client_credentials\"]', '[\"read\"]')";

/** A store opened on a version-4 database holding OLD_CLIENT: the client is kept, without redirect URIs; codes work. */
async function codesArriveOn(store: GatehouseStore): Promise<void> {
  try {
    const old = {
      clientId: 'svc',
      secretHash: 'abab',
      name: 'Service',
      grants: ['client_credentials'],
      scopes: ['read'],
    };
    assert.deepStrictEqual(await store.clients.findClient('svc'), old);
    await store.clients.putClient({ ...old, redirectUris: ['https://svc.example/cb'] });
    assert.deepStrictEqual((await store.clients.findClient('svc'))?.redirectUris, ['https://svc.example/cb']);
    await codesRedeemOnce(store.authorizationCodes);
    assert.deepStrictEqual(await store.authorizationCodes.redeemAuthorizationCode(code(1).hash, code(1).createdAt), {
      first: false,
      record: code(1),
    });
  } finally {
    await store.close();
  }
}

/** A store opened on a version-2 database holding `hash-1` (fam-1, subject u1): the new operations work on the old rows. */
async function upgradedStoreBehaves(store: GatehouseStore): Promise<void> {
  try {
    const { refreshTokens } = store;
    assert.deepStrictEqual(await refreshTokens.findRefreshToken('hash-1'), { ...token(1), familyRevoked: false });
    assert.deepStrictEqual(await refreshTokens.rotate('hash-1', token(2), 'sealed-2', 1_800_000_000_000), {
      first: true,
      rotatedAt: 1_800_000_000_000,
      sealedSuccessor: 'sealed-2',
    });
    assert.equal((await refreshTokens.findRefreshToken('hash-1'))?.sealedSuccessor, 'sealed-2');
    assert.equal(await refreshTokens.revokeSubject('u1', 1_800_000_000_001), 1);
    assert.equal((await refreshTokens.findRefreshToken('hash-2'))?.familyRevoked, true);
  } finally {
    await store.close();
  }
}

/** A refresh token as schema version 5 stored it, before refresh tokens kept their grant's resources. */
const OLD_REFRESH = 'rt_stored-before-version-6-kept-resources';
const OLD_REFRESH_ROW = `INSERT INTO gatehouse_refresh_tokens (hash, family_id, subject, client_id, scope, roles, created_at, expires_at) VALUES ('${createHash('sha256').update(OLD_REFRESH).digest('hex')}', 'fam-old', 'u1', 'app', 'read', '[]', 1700000000000, 4102444800000)`;

/**
 * A store opened on a version-5 database holding OLD_REFRESH: its grant reads as the default
 * audience's (RFC 8707 §2.2), so it refreshes into that audience and no other, and its successor too.
 */
async function oldRefreshTokenRefreshes(store: GatehouseStore): Promise<void> {
  try {
    const service = createTokenService({ store, issuer: 'https://auth.test', resources: ['https://api.test'] });
    const options = { clientId: 'app', currentIdentity: () => ({ id: 'u1', scopes: ['read'] }) };
    await assert.rejects(
      service.refresh(OLD_REFRESH, { ...options, resource: 'https://api.test' }),
      (error) => error instanceof TokenGrantError && error.oauthError === 'invalid_target',
    );
    const next = await service.refresh(OLD_REFRESH, options);
    assert.equal(decodeJwt(next.access_token).aud, 'https://auth.test');
    assert.equal(
      decodeJwt((await service.refresh(next.refresh_token!, options)).access_token).aud,
      'https://auth.test',
    );
  } finally {
    await store.close();
  }
}

/** A code as schema version 7 stored it, before codes could be bound to a DPoP key. */
const OLD_CODE_ROW = `INSERT INTO gatehouse_authorization_codes (hash, client_id, redirect_uri, code_challenge, subject, roles, scope, resources, family_id, access_token_jti, created_at, expires_at, keep_until) VALUES ('code-hash-1', 'spa', 'https://app.example/callback?x=1', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'u1', '["member","admin"]', 'read write', '["https://api.example/","https://other.example/"]', 'fam-1', 'jti-1', ${code(1).createdAt}, ${code(1).expiresAt}, ${code(1).keepUntil})`;

/** A store opened on a version-7 database holding OLD_CODE_ROW: the code redeems unbound; a new one keeps its key. */
async function oldCodeRedeemsUnbound(store: GatehouseStore): Promise<void> {
  try {
    const codes = store.authorizationCodes;
    assert.deepStrictEqual(await codes.redeemAuthorizationCode('code-hash-1', code(1).createdAt), {
      first: true,
      record: code(1),
    });
    const bound = code(2, { dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
    await codes.insertAuthorizationCode(bound);
    assert.deepStrictEqual((await codes.redeemAuthorizationCode('code-hash-2', bound.createdAt))?.record, bound);
  } finally {
    await store.close();
  }
}

describe('migrations', () => {
  it('run again on an existing SQLite file without changing anything', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db');
    const first = await openStore(`sqlite:${file}`);
    await first.users.putUser({ username: 'ann', id: 'u1', passwordHash: 'h', scopes: [], roles: [] });
    await first.close();
    const second = await openStore(`sqlite:${file}`);
    assert.equal((await second.users.findUserByName('ann'))?.id, 'u1');
    await second.close();
  });

  it('bring a SQLite file of schema version 2 up to date: its refresh tokens rotate, revoke by user, replay', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db');
    const old = new DatabaseSync(file);
    old.exec('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const [i, statements] of [schemaV1('INTEGER'), schemaV2('INTEGER')].entries()) {
      for (const statement of statements) old.exec(statement);
      old.prepare('INSERT INTO gatehouse_migrations VALUES (?, ?)').run(i + 1, 0);
    }
    old
      .prepare(
        'INSERT INTO gatehouse_refresh_tokens (hash, family_id, subject, client_id, scope, roles, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run('hash-1', 'fam-1', 'u1', 'app', 'read write', '["member"]', 1_700_000_000_001, 1_900_000_000_000);
    old.close();
    await upgradedStoreBehaves(await openStore(`sqlite:${file}`));
    // Opening it again changes nothing.
    const again = await openStore(`sqlite:${file}`);
    assert.equal((await again.refreshTokens.findRefreshToken('hash-2'))?.familyRevoked, true);
    await again.close();
  });

  it('bring a Postgres schema of version 2 up to date, the same way', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('upgrade');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      for (const [i, statements] of [schemaV1('BIGINT'), schemaV2('BIGINT')].entries()) {
        for (const statement of statements) await client.query(statement);
        await client.query('INSERT INTO gatehouse_migrations VALUES ($1, 0)', [i + 1]);
      }
      await client.query(
        "INSERT INTO gatehouse_refresh_tokens (hash, family_id, subject, client_id, scope, roles, created_at, expires_at) VALUES ('hash-1', 'fam-1', 'u1', 'app', 'read write', '[\"member\"]', 1700000000001, 1900000000000)",
      );
      await upgradedStoreBehaves(await openStore(POSTGRES_URL, { namespace: schema }));
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });

  it('bring a SQLite file of schema version 4 up to date: its clients are kept, and codes can be issued', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db');
    const old = new DatabaseSync(file);
    old.exec('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const [i, statements] of migrations('sqlite').slice(0, 4).entries()) {
      for (const statement of statements) old.exec(statement);
      old.prepare('INSERT INTO gatehouse_migrations VALUES (?, ?)').run(i + 1, 0);
    }
    old.exec(OLD_CLIENT);
    old.close();
    await codesArriveOn(await openStore(`sqlite:${file}`));
  });

  it('bring a Postgres schema of version 4 up to date, the same way', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('upgrade4');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      for (const [i, statements] of migrations('postgres').slice(0, 4).entries()) {
        for (const statement of statements) await client.query(statement);
        await client.query('INSERT INTO gatehouse_migrations VALUES ($1, 0)', [i + 1]);
      }
      await client.query(OLD_CLIENT);
      await codesArriveOn(await openStore(POSTGRES_URL, { namespace: schema }));
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });

  it('bring a SQLite file of schema version 5 up to date: its refresh tokens refresh into the default audience', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db');
    const old = new DatabaseSync(file);
    old.exec('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const [i, statements] of migrations('sqlite').slice(0, 5).entries()) {
      for (const statement of statements) old.exec(statement);
      old.prepare('INSERT INTO gatehouse_migrations VALUES (?, ?)').run(i + 1, 0);
    }
    old.exec(OLD_REFRESH_ROW);
    old.close();
    await oldRefreshTokenRefreshes(await openStore(`sqlite:${file}`));
  });

  it('bring a Postgres schema of version 5 up to date, the same way', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('upgrade5');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      for (const [i, statements] of migrations('postgres').slice(0, 5).entries()) {
        for (const statement of statements) await client.query(statement);
        await client.query('INSERT INTO gatehouse_migrations VALUES ($1, 0)', [i + 1]);
      }
      await client.query(OLD_REFRESH_ROW);
      await oldRefreshTokenRefreshes(await openStore(POSTGRES_URL, { namespace: schema }));
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });

  it('bring a SQLite file of schema version 7 up to date: its codes redeem unbound, new ones keep a DPoP key', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db');
    const old = new DatabaseSync(file);
    old.exec('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const [i, statements] of migrations('sqlite').slice(0, 7).entries()) {
      for (const statement of statements) old.exec(statement);
      old.prepare('INSERT INTO gatehouse_migrations VALUES (?, ?)').run(i + 1, 0);
    }
    old.exec(OLD_CODE_ROW);
    old.close();
    await oldCodeRedeemsUnbound(await openStore(`sqlite:${file}`));
  });

  it('bring a Postgres schema of version 7 up to date, the same way', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('upgrade7');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE gatehouse_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      for (const [i, statements] of migrations('postgres').slice(0, 7).entries()) {
        for (const statement of statements) await client.query(statement);
        await client.query('INSERT INTO gatehouse_migrations VALUES ($1, 0)', [i + 1]);
      }
      await client.query(OLD_CODE_ROW);
      await oldCodeRedeemsUnbound(await openStore(POSTGRES_URL, { namespace: schema }));
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });

  it('keep answers stored before the ledger kept them as JSON: they still replay', async () => {
    const store = (await openStore('sqlite::memory:')) as SqliteStore;
    // A row as version 2 wrote it: status, headers and body in columns of their own.
    store.database
      .prepare(
        "INSERT INTO gatehouse_idempotency (key, fingerprint, state, status, headers, body, expires_at) VALUES ('old', 'fp', 'done', 201, '{\"x-order\":\"7\"}', 'order 7', ?)",
      )
      .run(Date.now() + 60_000);
    assert.deepStrictEqual(await store.idempotency.claim('old', 'fp', Date.now(), 60_000), {
      state: 'done',
      response: { status: 201, headers: { 'x-order': '7' }, body: 'order 7' },
    });
    await store.close();
  });

  it('run concurrently on one Postgres schema without failing', async (t) => {
    if (!(await requirePostgres(t))) return;
    const schema = runSchema('migrate');
    const opened = await Promise.all([
      openStore(POSTGRES_URL, { namespace: schema }),
      openStore(POSTGRES_URL, { namespace: schema }),
    ]);
    await opened[0].users.putUser({ username: 'ann', id: 'u1', passwordHash: 'h', scopes: [], roles: [] });
    assert.equal((await opened[1].users.findUserByName('ann'))?.id, 'u1');
    await Promise.all(opened.map((s) => s.close()));
    await dropSchema(schema);
  });
});
