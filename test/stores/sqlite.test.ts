/** The SQLite store (src/stores/sqlite.ts), in a file and in memory, keeps the behaviour every store keeps. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/server/index.ts';
import { codesRedeemOnceConcurrently } from '../support/code-behaviour.ts';
import { storeBehaves } from '../support/store-behaviour.ts';

storeBehaves('sqlite (file)', async () => {
  const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db')}`);
  return { store, done: () => store.close() };
});
storeBehaves('sqlite (:memory:)', async () => {
  const store = await openStore('sqlite::memory:');
  return { store, done: () => store.close() };
});

describe('sqlite store, two instances on one file', () => {
  it('redeem an authorization code once between them: exactly one redemption is the first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db');
    const [a, b] = [await openStore(`sqlite:${file}`), await openStore(`sqlite:${file}`)];
    try {
      await codesRedeemOnceConcurrently([a.authorizationCodes, b.authorizationCodes]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
