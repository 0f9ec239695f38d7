import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OriginTable } from '../../src/client/origin-table.ts';

interface Entry {
  expiresAt: number;
  inUse?: boolean;
}

const table = (cap: number) =>
  new OriginTable<Entry>({ expiresAt: (e) => e.expiresAt, inUse: (e) => e.inUse === true }, cap);

describe('OriginTable', () => {
  it('past its bound, drops an expired entry before the least recently used live one', () => {
    const t = table(3);
    t.set('a', { expiresAt: 1_000 }, 0);
    t.set('b', { expiresAt: 10 }, 0); // the only one expired at 100
    t.set('c', { expiresAt: 1_000 }, 0);
    t.set('d', { expiresAt: 1_000 }, 100);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].filter((o) => t.has(o)),
      ['a', 'c', 'd'],
    );
  });

  it('otherwise drops the least recently used, where using an entry makes it the most recent', () => {
    const t = table(3);
    for (const origin of ['a', 'b', 'c']) t.set(origin, { expiresAt: 1_000 }, 0);
    t.use('a'); // b is now the least recently used
    t.peek('b'); // reading is not using
    t.set('d', { expiresAt: 1_000 }, 0);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].filter((o) => t.has(o)),
      ['a', 'c', 'd'],
    );
  });

  it('never drops an entry in use, nor the one just set: the bound is exceeded by those alone', () => {
    const t = table(2);
    t.set('a', { expiresAt: 0, inUse: true }, 100); // expired, but a request depends on it
    t.set('b', { expiresAt: 1_000, inUse: true }, 100);
    t.set('c', { expiresAt: 1_000 }, 100);
    assert.equal(t.size, 3);
    t.set('d', { expiresAt: 1_000 }, 100);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].filter((o) => t.has(o)),
      ['a', 'b', 'd'],
    );
  });

  it('stays at its bound under 20,000 origins', () => {
    const t = table(1_024);
    for (let i = 0; i < 20_000; i++) t.set(`http://h${i}.test`, { expiresAt: i % 2 ? i + 500 : 1e9 }, i);
    assert.equal(t.size, 1_024);
    assert.ok(t.has('http://h19999.test'));
  });
});
