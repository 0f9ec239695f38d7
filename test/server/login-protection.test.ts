/**
 * Login protection behaves the same on every counter backend; createLoginProtection refuses a
 * backend it cannot use at once, saying which shapes it takes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createLoginProtection,
  INVALID_ARGUMENT,
  type LoginProtection,
  type LoginProtectionOptions,
} from '../../src/server/index.ts';
import { counterBackends } from '../support/counter-backends.ts';

/** One wrong sign-in: its place taken, and, when it went ahead, its failure reported. */
async function wrong(protection: LoginProtection, username: string, address: string | undefined) {
  const wait = await protection.attempt(username, address);
  if (wait === undefined) await protection.failed(username, address);
  return wait;
}

for (const [name, open] of Object.entries(counterBackends)) {
  describe(`login protection on ${name}`, () => {
    it('counts attempts before they are verified; a success gives its points back; other pairs are untouched', async (t) => {
      const opened = await open(t);
      if (!opened) return;
      t.after(() => opened.done());
      const protection = await createLoginProtection({
        backend: opened.backend,
        maxConsecutiveFailures: 3,
        lockoutSeconds: 60,
        maxFailuresPerIpPerDay: 8,
        prefix: opened.prefix,
      });
      // Two failures, a success (given back), then two failures: the third attempt still goes ahead.
      assert.equal(await wrong(protection, 'ann', '10.0.0.1'), undefined);
      assert.equal(await wrong(protection, 'ann', '10.0.0.1'), undefined);
      assert.equal(await protection.attempt('ann', '10.0.0.1'), undefined);
      await protection.succeeded('ann', '10.0.0.1');
      assert.equal(await wrong(protection, 'ann', '10.0.0.1'), undefined);
      assert.equal(await wrong(protection, 'ann', '10.0.0.1'), undefined);
      assert.equal(await protection.check('ann', '10.0.0.1'), undefined, 'two failures after a success do not lock');
      // Accounts are compared exactly (the caller passes the store's id): ANN is another account.
      assert.equal(await wrong(protection, 'ANN', '10.0.0.1'), undefined);
      assert.equal(await protection.check('ann', '10.0.0.1'), undefined, 'ANN counts apart from ann');
      assert.equal(await wrong(protection, 'ann', '10.0.0.1'), undefined);
      const wait = await protection.check('ann', '10.0.0.1');
      assert.ok(wait !== undefined && wait > 50_000 && wait <= 60_000, String(wait));
      const refused = await protection.attempt('ann', '10.0.0.1');
      assert.ok(refused?.lockedOut && refused.retryAfterMs > 50_000 && refused.retryAfterMs <= 60_000);
      assert.equal(await protection.check('ann', '10.0.0.2'), undefined, 'the same user from another address');
      assert.equal(await protection.check('bob', '10.0.0.3'), undefined);
      // The per-address budget (8 a day) stops spraying across usernames.
      for (let i = 0; i < 8; i++) assert.equal(await wrong(protection, `u${i}`, '10.0.0.9'), undefined);
      assert.ok((await protection.attempt('u8', '10.0.0.9'))?.lockedOut);
      assert.ok((await protection.check('u9', '10.0.0.9')) !== undefined);
    });

    it('lets exactly the limit through when 25 attempts race; the rest wait a second (in flight is not failed)', async (t) => {
      const opened = await open(t);
      if (!opened) return;
      t.after(() => opened.done());
      const protection = await createLoginProtection({
        backend: opened.backend,
        maxConsecutiveFailures: 5,
        lockoutSeconds: 60,
        prefix: opened.prefix,
      });
      const waits = await Promise.all(Array.from({ length: 25 }, () => protection.attempt('ann', '10.0.0.1')));
      assert.equal(waits.filter((w) => w === undefined).length, 5);
      assert.ok(waits.every((w) => w === undefined || (!w.lockedOut && w.retryAfterMs === 1000)));
      // The five fail: now it is a lockout, for the whole period.
      for (let i = 0; i < 5; i++) await protection.failed('ann', '10.0.0.1');
      const locked = await protection.attempt('ann', '10.0.0.1');
      assert.ok(locked?.lockedOut && locked.retryAfterMs > 50_000, JSON.stringify(locked));
    });

    it('keys a client as one whatever the spelling of its address, and an IPv6 client by its /64', async (t) => {
      const opened = await open(t);
      if (!opened) return;
      t.after(() => opened.done());
      const protection = await createLoginProtection({
        backend: opened.backend,
        maxConsecutiveFailures: 2,
        lockoutSeconds: 60,
        prefix: opened.prefix,
      });
      await wrong(protection, 'ann', '::ffff:127.0.0.1');
      await wrong(protection, 'ann', '127.0.0.1');
      assert.ok((await protection.attempt('ann', '::FFFF:7f00:1'))?.lockedOut);
      await wrong(protection, 'bob', '2001:db8:1:2::1');
      await wrong(protection, 'bob', '2001:db8:1:2:ffff::9%eth0');
      assert.ok((await protection.check('bob', '2001:0db8:0001:0002:0:0:0:7')) !== undefined);
      assert.equal(await protection.check('bob', '2001:db8:1:3::1'), undefined, 'another /64');
    });

    it('files no client under a placeholder: without an address, no budget to share and a count per username that never locks a known client', async (t) => {
      const opened = await open(t);
      if (!opened) return;
      t.after(() => opened.done());
      const lines: string[] = [];
      const protection = await createLoginProtection({
        backend: opened.backend,
        maxConsecutiveFailures: 2,
        maxConsecutiveFailuresWithoutAddress: 4,
        maxFailuresPerIpPerDay: 3,
        lockoutSeconds: 60,
        prefix: opened.prefix,
        onUnknownAddress: (line) => lines.push(line),
      });
      // Missing, empty, the old placeholder and garbage: all unknown, all one count for ann.
      for (const address of [undefined, '', 'unknown', '1.2.3'])
        assert.equal(await wrong(protection, 'ann', address), undefined, String(address));
      assert.ok((await protection.attempt('ann', 'x'.repeat(200)))?.lockedOut, 'the 5th in a row');
      assert.ok((await protection.check('ann', undefined)) !== undefined);
      assert.equal(await protection.check('ann', '10.0.0.1'), undefined, 'ann from a known address');
      assert.equal(await wrong(protection, 'ann', '10.0.0.1'), undefined);
      // No shared per-address budget (3) for unknown clients: spraying 10 usernames locks no one else.
      for (let i = 0; i < 10; i++) assert.equal(await wrong(protection, `u${i}`, undefined), undefined);
      assert.equal(await protection.check('bob', undefined), undefined);
      await protection.succeeded('ann', undefined);
      assert.equal(await protection.attempt('ann', undefined), undefined, 'a success clears the count');
      assert.equal(lines.length, 1, 'said once');
    });

    it('takes any username: long, non-ASCII or with a NUL byte (keys are hashed)', async (t) => {
      const opened = await open(t);
      if (!opened) return;
      t.after(() => opened.done());
      const protection = await createLoginProtection({ backend: opened.backend, prefix: opened.prefix });
      for (const username of ['x'.repeat(10_000), 'jürgen\u0000', '\ud800', ''])
        assert.equal(await wrong(protection, username, '10.0.0.1'), undefined, username.slice(0, 10));
    });
  });
}

describe('createLoginProtection options', () => {
  const wrong: Array<[string, unknown]> = [
    ['no backend', {}],
    ['a string', { backend: 'memory' }],
    ['a store URL for redis', { backend: { redis: 'redis://127.0.0.1:6379' } }],
    ['a file path for sqlite', { backend: { sqlite: './gatehouse.db' } }],
    ['a connection string for postgres', { backend: { postgres: 'postgres://127.0.0.1/test' } }],
    ['memory: false', { backend: { memory: false } }],
    ['an unknown key', { backend: { mongo: {} } }],
  ];
  for (const [what, options] of wrong) {
    it(`refuses ${what} with a coded TypeError naming backend and its shapes`, async () => {
      await assert.rejects(
        createLoginProtection(options as LoginProtectionOptions),
        (error: Error & { code?: string }) => {
          assert.ok(error instanceof TypeError);
          assert.equal(error.code, INVALID_ARGUMENT);
          assert.match(error.message, /^createLoginProtection: backend must be /);
          for (const shape of [
            '{ memory: true }',
            '{ sqlite: DatabaseSync }',
            '{ postgres: pg.Pool }',
            '{ redis: Redis }',
          ])
            assert.ok(error.message.includes(shape), `${error.message} names ${shape}`);
          return true;
        },
      );
    });
  }

  it('takes { memory: true }', async () => {
    const protection = await createLoginProtection({ backend: { memory: true } });
    assert.equal(await protection.check('ann', '10.0.0.1'), undefined);
  });
});
