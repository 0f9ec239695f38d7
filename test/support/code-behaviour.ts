/**
 * The behaviour of an authorization-code store (src/stores/types.ts, AuthorizationCodeStore) as a
 * function of any implementation of it: store-behaviour.ts runs it for every backend, and the
 * SQL tests for two stores sharing one database.
 */
import assert from 'node:assert/strict';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../../src/server/index.ts';

export const NOW = 1_800_000_000_000;

export const code = (n: number, overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord => ({
  hash: `code-hash-${n}`,
  clientId: 'spa',
  redirectUri: 'https://app.example/callback?x=1',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  subject: 'u1',
  roles: ['member', 'admin'],
  scope: 'read write',
  resources: ['https://api.example/', 'https://other.example/'],
  familyId: `fam-${n}`,
  accessTokenJti: `jti-${n}`,
  createdAt: NOW,
  expiresAt: NOW + 60_000,
  keepUntil: NOW + 600_000,
  ...overrides,
});

/** Redeemed once (`first`), then every later call is a replay of the same record; unknown hashes are undefined. */
export async function codesRedeemOnce(codes: AuthorizationCodeStore): Promise<void> {
  await codes.insertAuthorizationCode(code(1));
  await codes.insertAuthorizationCode(code(2, { resources: [], roles: [] }));
  assert.equal(await codes.redeemAuthorizationCode('code-hash-9', NOW), undefined);
  assert.deepStrictEqual(await codes.redeemAuthorizationCode('code-hash-1', NOW + 1), { first: true, record: code(1) });
  assert.deepStrictEqual(await codes.redeemAuthorizationCode('code-hash-1', NOW + 2), {
    first: false,
    record: code(1),
  });
  assert.deepStrictEqual(await codes.redeemAuthorizationCode('code-hash-1', NOW + 3), {
    first: false,
    record: code(1),
  });
  // Another code is not touched by the first one's redemption; empty lists come back empty.
  assert.deepStrictEqual(await codes.redeemAuthorizationCode('code-hash-2', NOW + 4), {
    first: true,
    record: code(2, { resources: [], roles: [] }),
  });
  // A hash no database could hold (Postgres text refuses NUL) is simply not there.
  assert.equal(await codes.redeemAuthorizationCode('code-hash-1\u0000', NOW), undefined);
}

/** Concurrent redemptions, from one store or several sharing a database: exactly one is first. */
export async function codesRedeemOnceConcurrently(stores: readonly AuthorizationCodeStore[]): Promise<void> {
  await stores[0]!.insertAuthorizationCode(code(3));
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => stores[i % stores.length]!.redeemAuthorizationCode('code-hash-3', NOW + i)),
  );
  assert.equal(results.filter((r) => r?.first).length, 1, 'exactly one redemption is the first');
  for (const result of results) assert.deepStrictEqual(result?.record, code(3));
}

/**
 * An expired code is still marked (expiry is the caller's to judge); past keepUntil it is gone, and
 * an insert forgets codes past theirs.
 */
export async function codesForget(codes: AuthorizationCodeStore): Promise<void> {
  await codes.insertAuthorizationCode(code(4));
  const expired = await codes.redeemAuthorizationCode('code-hash-4', NOW + 120_000);
  assert.deepStrictEqual(expired, { first: true, record: code(4) }, 'past expiresAt, still redeemed and returned');
  assert.equal(await codes.redeemAuthorizationCode('code-hash-4', NOW + 600_000), undefined, 'at keepUntil, gone');
  await codes.insertAuthorizationCode(code(5));
  // Issued later, when code 5 is past its keepUntil: that insert deletes it, so an earlier clock finds nothing.
  await codes.insertAuthorizationCode(code(6, { createdAt: NOW + 700_000, keepUntil: NOW + 1_300_000 }));
  assert.equal(await codes.redeemAuthorizationCode('code-hash-5', NOW), undefined, 'forgotten by the later insert');
  assert.equal((await codes.redeemAuthorizationCode('code-hash-6', NOW + 700_001))?.first, true);
}
