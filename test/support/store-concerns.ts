/**
 * The behaviour of one concern of a store — the deny-list, nonces, the idempotency ledger — as a
 * function of any implementation of it: the stores of test/stores and the Redis ones run the same checks.
 */
import assert from 'node:assert/strict';
import { type DenyList, type IdempotencyLedger, type NonceStore, NonceStoreFullError } from '../../src/server/index.ts';
import { LEDGER_SWEEP_EVERY } from '../../src/stores/ledger-sweep.ts';

export async function denyListBehaves(denyList: DenyList): Promise<void> {
  await denyList.deny('jti-live', Date.now() + 60_000);
  await denyList.deny('jti-short', Date.now() + 150);
  await denyList.deny('jti-past', Date.now() - 1000);
  assert.equal(await denyList.isDenied('jti-live'), true);
  assert.equal(await denyList.isDenied('jti-short'), true);
  assert.equal(await denyList.isDenied('jti-past'), false);
  assert.equal(await denyList.isDenied('jti-other'), false);
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(await denyList.isDenied('jti-short'), false);
}

export async function noncesBehave(nonces: NonceStore): Promise<void> {
  assert.equal(await nonces.remember('key-a', 'n1', 60_000), true);
  assert.equal(await nonces.remember('key-a', 'n1', 60_000), false);
  assert.equal(await nonces.remember('key-b', 'n1', 60_000), true, 'a nonce is remembered per key');
  assert.equal(await nonces.remember('key-a', 'n2', 100), true);
  const concurrent = await Promise.all(Array.from({ length: 5 }, () => nonces.remember('key-a', 'n3', 60_000)));
  assert.equal(concurrent.filter(Boolean).length, 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await nonces.remember('key-a', 'n2', 100), true);
}

/**
 * What a store keeps is a fixed-size digest of (key id, nonce) taken as a pair: a nonce of any
 * length or bytes is held (Postgres's btree refused long keys, its text refused 0x00), and a key id
 * with ':' in it cannot collide with another key's nonce.
 */
export async function noncesKeepDigests(nonces: NonceStore): Promise<void> {
  const long = 'n'.repeat(16_000);
  assert.equal(await nonces.remember('key-a', long, 60_000), true);
  assert.equal(await nonces.remember('key-a', long, 60_000), false, 'a long nonce replayed is refused');
  assert.equal(await nonces.remember('key-a', `${long}x`, 60_000), true, 'one character more is another nonce');
  assert.equal(await nonces.remember('key-a', 'nul\u0000\u00e9\ud800', 60_000), true);
  assert.equal(await nonces.remember('key-a', 'nul\u0000\u00e9\ud800', 60_000), false);
  // Joined as `${keyId}:${nonce}`, these two were one entry.
  assert.equal(await nonces.remember('tenant:a', 'b-nonce', 60_000), true);
  assert.equal(await nonces.remember('tenant', 'a:b-nonce', 60_000), true, "a key id with ':' collides with no other");
}

export async function ledgerBehaves(ledger: IdempotencyLedger): Promise<void> {
  const now = Date.now();
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-a', now, 60_000), { state: 'new' });
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-a', now, 60_000), { state: 'pending' });
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-b', now, 60_000), { state: 'conflict' });
  // Every code point a string can hold, U+0000 and lone surrogates included (Postgres text refuses 0x00).
  const body = `${String.fromCharCode(...Array.from({ length: 0x100 }, (_, i) => i))}\ud800 \udfff \u{1f600}"\\`;
  const response = { status: 201, headers: { 'content-type': 'text/plain', 'x-note': 'a\u0001b' }, body };
  await ledger.complete('k1', response, now, 60_000);
  assert.deepStrictEqual(await ledger.claim('k1', 'fp-a', now, 60_000), { state: 'done', response });
  await ledger.release('k1'); // a kept answer is not released
  assert.equal((await ledger.claim('k1', 'fp-a', now, 60_000)).state, 'done');
  assert.deepStrictEqual(await ledger.claim('k2', 'fp-a', now, 60_000), { state: 'new' });
  await ledger.release('k2');
  assert.deepStrictEqual(await ledger.claim('k2', 'fp-a', now, 60_000), { state: 'new' });
  const concurrent = await Promise.all(Array.from({ length: 6 }, () => ledger.claim('k3', 'fp-a', now, 60_000)));
  assert.equal(concurrent.filter((c) => c.state === 'new').length, 1);
}

export async function ledgerForgets(ledger: IdempotencyLedger): Promise<void> {
  const start = Date.now();
  // Taken over once expired: a run that died (pending), an answer kept long enough (done).
  await ledger.claim('dead-run', 'fp-a', start, 10);
  await ledger.claim('old-answer', 'fp-a', start, 10);
  await ledger.complete('old-answer', { status: 200, headers: {}, body: 'old' }, start, 10);
  assert.deepStrictEqual(await ledger.claim('dead-run', 'fp-b', start + 20, 60_000), { state: 'new' });
  assert.deepStrictEqual(await ledger.claim('old-answer', 'fp-b', start + 20, 60_000), { state: 'new' });
  // A sweep removes expired entries only, at most `limit` of them at a time.
  for (let i = 0; i < 25; i++) {
    await ledger.claim(`expired-${i}`, 'fp-a', start, 10);
    if (i % 2) await ledger.complete(`expired-${i}`, { status: 200, headers: {}, body: 'x' }, start, 10);
  }
  await ledger.claim('live', 'fp-a', start, 60_000);
  await ledger.complete('live', { status: 200, headers: {}, body: 'live' }, start, 60_000);
  const later = start + 20;
  assert.equal(await ledger.sweep(later, 10), 10);
  assert.equal(await ledger.sweep(later, 1000), 15);
  assert.equal(await ledger.sweep(later, 1000), 0);
  assert.deepStrictEqual(await ledger.claim('live', 'fp-a', later, 60_000), {
    state: 'done',
    response: { status: 200, headers: {}, body: 'live' },
  });
  // Claims sweep on their own: within LEDGER_SWEEP_EVERY claims, expired entries are gone.
  for (let i = 0; i < 5; i++) await ledger.claim(`expired-again-${i}`, 'fp-a', later, 10);
  const after = later + 20;
  for (let i = 0; i < LEDGER_SWEEP_EVERY; i++) await ledger.claim(`fresh-${i}`, 'fp-a', after, 60_000);
  assert.equal(await ledger.sweep(after, 1000), 0);
  assert.equal((await ledger.claim('live', 'fp-a', after, 60_000)).state, 'done');
}

/**
 * A flood of fresh nonces (another key holder's own signed requests) must not push out a nonce
 * still inside its window, or its request could be replayed. A store may refuse new nonces when it
 * is full (NonceStoreFullError, answered 503), never forget a live one; expired ones may go.
 */
export async function noncesKeepLive(nonces: NonceStore, flood = 1500): Promise<number> {
  assert.equal(await nonces.remember('key-a', 'victim', 60_000), true);
  assert.equal(await nonces.remember('key-a', 'short', 50), true);
  await new Promise((r) => setTimeout(r, 100));
  let refused = 0;
  for (let i = 0; i < flood; i++) {
    try {
      await nonces.remember('key-a', `flood-${i}`, 60_000);
    } catch (error) {
      if (!(error instanceof NonceStoreFullError)) throw error;
      refused++;
    }
  }
  assert.equal(await nonces.remember('key-a', 'victim', 60_000), false, 'the live nonce is still remembered');
  return refused;
}
