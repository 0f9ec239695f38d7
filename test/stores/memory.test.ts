/** The memory store (src/stores/memory.ts) keeps the behaviour every store keeps. */
import { openStore } from '../../src/server/index.ts';
import { storeBehaves } from '../support/store-behaviour.ts';

storeBehaves('memory', async () => {
  const store = await openStore('memory:');
  return { store, done: () => store.close() };
});
