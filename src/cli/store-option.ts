import { DEFAULT_STORE_URL, openStore } from '../stores/open-store.ts';
import type { GatehouseStore } from '../stores/types.ts';

/** The store a command works on: --store, else $GATEHOUSE_STORE, else sqlite:gatehouse.db. */
export function storeUrl(option: string | undefined): string {
  return option ?? process.env['GATEHOUSE_STORE'] ?? DEFAULT_STORE_URL;
}

export async function withStore<T>(option: string | undefined, fn: (store: GatehouseStore) => Promise<T>): Promise<T> {
  const store = await openStore(storeUrl(option));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
