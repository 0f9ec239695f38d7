import { INVALID_ARGUMENT } from '../http/argument-error.ts';
import { DEFAULT_STORE_URL, openStore } from '../stores/open-store.ts';
import { StoreNotFoundError } from '../stores/store-not-found-error.ts';
import type { GatehouseStore } from '../stores/types.ts';
import { UsageError } from './usage-error.ts';

/** The store a command works on: --store, else $GATEHOUSE_STORE (when set and not empty), else sqlite:gatehouse.db. */
export function storeUrl(option: string | undefined): string {
  return option ?? (process.env['GATEHOUSE_STORE'] || DEFAULT_STORE_URL);
}

/**
 * Runs `fn` on the store, closed after. `create` says whether the command may create the store:
 * only a command that adds (users add, keys create, clients add), and only once its arguments
 * are checked; any other finds "no store at …" rather than an empty store it made itself.
 */
export async function withStore<T>(
  option: string | undefined,
  { create }: { create: boolean },
  fn: (store: GatehouseStore) => Promise<T>,
): Promise<T> {
  let store: GatehouseStore;
  try {
    store = await openStore(storeUrl(option), { create });
  } catch (error) {
    // A URL that names no kind of store is the command line's mistake (64), not a problem found (1).
    if ((error as { code?: unknown }).code === INVALID_ARGUMENT)
      throw new UsageError((error as Error).message.replace(/^openStore: /, ''));
    if (!(error instanceof StoreNotFoundError)) throw error;
    throw new StoreNotFoundError(error.url, `${error.detail}; users add, keys create and clients add create one`);
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
