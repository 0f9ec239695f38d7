/**
 * The tab lock for browsers without Web Locks: Fischer's timed mutual exclusion over one storage
 * key. A tab waits until the key is free (or its holder's lease ran out), writes its own id, waits
 * longer than a write takes to reach the other tabs, and holds the lock only if its id is still
 * there: of tabs that wrote at once, the last writer wins and the others go back to waiting.
 */
import { GatehouseError } from '../../http/gatehouse-error.ts';

/** The part of the Web Storage API (`localStorage`) the tab-shared store uses. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Another tab held the token lock longer than `lockTimeoutMs`, or no lock could be taken. */
export class TabLockError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TAB_LOCK';
  constructor(message: string, cause?: unknown) {
    super(message, TabLockError.code, { cause });
  }
}

export interface StorageLockTimes {
  /** How long to wait for the lock, in ms. */
  lockTimeoutMs: number;
  /** A lease older than this is taken over (its tab closed mid-refresh), in ms. */
  staleLockMs: number;
  /** How long a written id must survive before the lock is held, in ms: longer than a write takes to reach the other tabs. */
  settleMs: number;
}

interface Lease {
  id: string;
  until: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function readLease(storage: TokenStorage, lockKey: string): Lease | undefined {
  try {
    const lease = JSON.parse(storage.getItem(lockKey) ?? 'null') as Lease | null;
    return lease && typeof lease.id === 'string' && typeof lease.until === 'number' ? lease : undefined;
  } catch {
    return undefined; // an unreadable lease is no lease
  }
}

/**
 * Whether a lease still holds the lock. One that ends further ahead than any tab's lease lasts
 * (written by a buggy or hostile script of the origin, or before the clock was set back) was
 * written by no live holder, and would otherwise keep every tab from refreshing until it ends:
 * localStorage outlives the tabs. Tabs may be set up with other staleLockMs, hence the margin.
 */
function live(lease: Lease, staleLockMs: number): boolean {
  const left = lease.until - Date.now();
  return left > 0 && left <= Math.max(2 * staleLockMs, MAX_CREDIBLE_LEASE_MS);
}

/** A lease this far ahead, or less, may be a live tab's whatever its staleLockMs (the default is 10 s). */
const MAX_CREDIBLE_LEASE_MS = 60_000;

/** Runs `fn` holding the lock stored under `lockKey`, shared by every tab of the origin. */
export async function withStorageLock<T>(
  storage: TokenStorage,
  lockKey: string,
  times: StorageLockTimes,
  fn: () => Promise<T>,
): Promise<T> {
  const id = crypto.randomUUID();
  const deadline = Date.now() + times.lockTimeoutMs;
  for (;;) {
    const lease = readLease(storage, lockKey);
    if (!lease || !live(lease, times.staleLockMs)) {
      try {
        storage.setItem(lockKey, JSON.stringify({ id, until: Date.now() + times.staleLockMs }));
      } catch (error) {
        throw new TabLockError('The tab lock could not be written to storage (full or blocked).', error);
      }
      await sleep(times.settleMs);
      if (readLease(storage, lockKey)?.id === id) break;
    }
    if (Date.now() >= deadline)
      throw new TabLockError(
        `Another tab held the token lock for over ${times.lockTimeoutMs} ms; raise lockTimeoutMs if refreshes are that slow.`,
      );
    await sleep(20 + Math.random() * 40);
  }
  // A refresh slower than the lease renews it, so no tab takes over a lock still in use.
  const renew = setInterval(() => {
    if (readLease(storage, lockKey)?.id === id)
      storage.setItem(lockKey, JSON.stringify({ id, until: Date.now() + times.staleLockMs }));
  }, times.staleLockMs / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    if (readLease(storage, lockKey)?.id === id) storage.removeItem(lockKey);
  }
}
