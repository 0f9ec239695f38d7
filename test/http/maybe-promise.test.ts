import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { whenSettled } from '../../src/http/maybe-promise.ts';

describe('whenSettled: a value or a promise of it', () => {
  it('goes on at once with a value that is there, and throws what the step throws', () => {
    assert.equal(
      whenSettled(2, (n) => n * 3),
      6,
    );
    assert.throws(
      () =>
        whenSettled(
          1,
          () => {
            throw new Error('step');
          },
          () => 'not used for a value that was there',
        ),
      /step/,
    );
  });

  it('waits for a promise, and for a store’s thenable, and answers with a real Promise', async () => {
    const later = whenSettled(Promise.resolve(2), (n) => n * 3);
    assert.ok(later instanceof Promise);
    assert.equal(await later, 6);
    // biome-ignore lint/suspicious/noThenProperty: a store's thenable, which is what this test is about
    const thenable: PromiseLike<number> = { then: (resolve) => Promise.resolve(5).then(resolve) };
    const fromThenable = whenSettled(thenable, (n) => n + 1);
    assert.ok(fromThenable instanceof Promise);
    assert.equal(await fromThenable, 6);
  });

  it('hands a rejection, of the value or of the step, to `failed` when given', async () => {
    assert.equal(
      await whenSettled(
        Promise.reject(new Error('store')),
        () => 'served',
        (error) => `failed: ${(error as Error).message}`,
      ),
      'failed: store',
    );
    assert.equal(
      await whenSettled(
        Promise.resolve(1),
        (): string => {
          throw new Error('step');
        },
        (error) => `failed: ${(error as Error).message}`,
      ),
      'failed: step',
    );
    await assert.rejects(Promise.resolve(whenSettled(Promise.reject(new Error('store')), () => 'served')), /store/);
  });
});
