/** The SQLite store (src/stores/sqlite.ts), in a file and in memory, keeps the behaviour every store keeps. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/server/index.ts';
import { storeBehaves } from '../support/store-behaviour.ts';

storeBehaves('sqlite (file)', async () => {
  const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-db-')), 'gatehouse.db')}`);
  return { store, done: () => store.close() };
});
storeBehaves('sqlite (:memory:)', async () => {
  const store = await openStore('sqlite::memory:');
  return { store, done: () => store.close() };
});
