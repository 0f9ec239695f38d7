/**
 * `tabSharedTokenStore()`: a token store for browsers that gives the tabs of one origin one token
 * and one refresh. A refresh runs under a Web Lock (`navigator.locks`), so one tab refreshes
 * while the others wait, then find the new token in the store and use it: with refresh-token
 * rotation, two tabs never spend the same refresh token (which would revoke its family, RFC 9700
 * §4.14.2). The token is kept in IndexedDB (indexeddb-shelf.ts says why not localStorage), so a
 * tab opened later starts with it, and each change is posted on a BroadcastChannel, so open tabs
 * take it at once (a sign-out too). Without Web Locks, a lock in localStorage takes their place
 * (storage-lock.ts) and the token is kept there too; without BroadcastChannel, tabs still read the
 * stored token when they next need one.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { indexedDbShelf, type TokenShelf } from './indexeddb-shelf.ts';
import { TabLockError, type TokenStorage, withStorageLock } from './storage-lock.ts';
import { isTokenObject, type Token } from './token.ts';
import type { TokenStore } from './token-store.ts';

export { TokenStorageError } from './indexeddb-shelf.ts';
export { TabLockError, type TokenStorage } from './storage-lock.ts';

export interface TabSharedTokenStoreOptions {
  /** Prefixes the storage keys, the lock and the channel, so two apps on one origin stay apart. @default 'gatehouse' */
  name?: string;
  /**
   * Where tokens persist for tabs opened later. By default IndexedDB where the browser has Web Locks,
   * and `localStorage` (which also holds the fallback lock) where it has not. A storage given here
   * is used instead; under Web Locks it must show every tab a write as soon as it is made, which
   * `localStorage` does not (a tab may read the token from before another tab's refresh).
   * `null` keeps tokens in memory, shared only with the tabs open now (and then Web Locks are
   * required). Whatever the browser keeps is readable by any script on the origin: keep the origin
   * free of XSS.
   */
  storage?: TokenStorage | null;
  /** How long a tab waits for another tab's refresh, in ms. @default 60_000 */
  lockTimeoutMs?: number;
  /** Without Web Locks: a lock whose tab stopped renewing it this long ago is taken over, in ms. @default 10_000 */
  staleLockMs?: number;
}

interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal }, fn: () => Promise<T>): Promise<T>;
  query?(): Promise<{ pending?: { name?: string }[] }>;
}

interface Change {
  key: string;
  token: Token | undefined;
}

export function tabSharedTokenStore(options: TabSharedTokenStoreOptions = {}): TokenStore {
  const name = options.name ?? 'gatehouse';
  if (typeof name !== 'string' || !/^[\w.:-]{1,100}$/.test(name))
    throw invalidArgument('tabSharedTokenStore: name must be 1 to 100 letters, digits, _ . : or -');
  const lockStorage = options.storage === undefined ? originLocalStorage() : options.storage;
  const lockTimeoutMs = positiveMs(options.lockTimeoutMs ?? 60_000, 'lockTimeoutMs');
  const staleLockMs = positiveMs(options.staleLockMs ?? 10_000, 'staleLockMs');
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  // Without a lock every tab would refresh on its own and fork the rotation chain: refuse instead.
  if (!locks && !lockStorage)
    throw invalidArgument(
      'tabSharedTokenStore: this browser has no Web Locks; give it a storage for the fallback lock',
    );
  const shelf = tokenShelf(name, options.storage, lockStorage, locks !== undefined);

  const memory = new Map<string, Token>();
  const watchers = new Map<string, Set<(token: Token | undefined) => void>>();
  const channel = tabChannel(name, ({ key, token }) => {
    if (token) memory.set(key, { ...token });
    else memory.delete(key);
    for (const watcher of watchers.get(key) ?? []) watcher(token && { ...token });
  });
  let published = 0;
  function publish(change: Change) {
    if (change.token) memory.set(change.key, { ...change.token });
    else memory.delete(change.key);
    published++;
    channel?.postMessage(change);
  }

  return {
    async get(key) {
      if (!shelf) return memory.has(key) ? { ...memory.get(key)! } : undefined;
      const text = await shelf.read(`${name}:token:${key}`);
      try {
        const token: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
        return isTokenObject(token) ? token : undefined;
      } catch {
        return undefined; // an unreadable entry is no token: the source fetches a new one
      }
    },
    async set(key, token) {
      await shelf?.write(`${name}:token:${key}`, JSON.stringify(token));
      publish({ key, token: { ...token } });
    },
    async delete(key) {
      await shelf?.write(`${name}:token:${key}`, undefined);
      publish({ key, token: undefined });
    },
    lock<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const lockName = `${name}:lock:${key}`;
      if (!locks) return withStorageLock(lockStorage!, lockName, { lockTimeoutMs, staleLockMs, settleMs: 150 }, fn);
      if (shelf) return withWebLock(locks, lockName, lockTimeoutMs, fn);
      // In memory, the next holder learns the token only from the BroadcastChannel, whose messages
      // are not ordered with the lock: a holder that published a token waits for them to arrive
      // before it hands the lock to a tab waiting for it.
      return withWebLock(locks, lockName, lockTimeoutMs, async () => {
        const before = published;
        const result = await fn();
        if (published !== before) await handOff(locks, lockName);
        return result;
      });
    },
    watch(key, onChange) {
      const set = watchers.get(key) ?? new Set();
      watchers.set(key, set);
      set.add(onChange);
      return () => {
        set.delete(onChange);
      };
    },
  };
}

/** The origin's localStorage; none in an opaque origin (a sandboxed frame), where reading it throws. */
function originLocalStorage(): TokenStorage | undefined {
  try {
    return (globalThis as { localStorage?: TokenStorage }).localStorage;
  } catch {
    return undefined;
  }
}

/** The BroadcastChannel of the store `name`, handing `receive` each well-formed change another tab posts. */
function tabChannel(name: string, receive: (change: Change) => void): BroadcastChannel | undefined {
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  const channel = Channel ? new Channel(`${name}:tokens`) : undefined;
  (channel as { unref?: () => void } | undefined)?.unref?.(); // in Node, the channel does not hold the process open
  channel?.addEventListener('message', (event: MessageEvent) => {
    const change = event.data as Change | null;
    if (change && typeof change.key === 'string' && (change.token === undefined || isTokenObject(change.token)))
      receive(change);
  });
  return channel;
}

/**
 * The token's home: the storage given (or null, memory), else IndexedDB under Web Locks, else the
 * fallback lock's storage. undefined is memory.
 */
function tokenShelf(
  name: string,
  given: TokenStorage | null | undefined,
  lockStorage: TokenStorage | null | undefined,
  webLocks: boolean,
): TokenShelf | undefined {
  // The DOM's own IDBFactory, which no declaration shows: the compiler checks that it fits the shelf's shape.
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (given === undefined && webLocks && idb) return indexedDbShelf(idb, `${name}:tokens`);
  const storage = given === undefined ? lockStorage : given;
  if (!storage) return undefined;
  return {
    read: async (key) => storage.getItem(key) ?? undefined,
    async write(key, value) {
      if (value === undefined) storage.removeItem(key);
      else storage.setItem(key, value);
    },
  };
}

/** Time for a BroadcastChannel message to reach the other tabs of the origin, in ms. */
const HAND_OFF_MS = 100;

/** Waits HAND_OFF_MS when a tab is waiting for `lockName` (and not at all when none is). */
async function handOff(locks: LockManagerLike, lockName: string): Promise<void> {
  const { pending = [] } = (await locks.query?.()) ?? { pending: [{ name: lockName }] };
  if (pending.some((lock) => lock.name === lockName)) await new Promise((resolve) => setTimeout(resolve, HAND_OFF_MS));
}

/** Runs `fn` holding the Web Lock `lockName`; a wait longer than `timeoutMs` is a TabLockError. */
function withWebLock<T>(locks: LockManagerLike, lockName: string, timeoutMs: number, fn: () => Promise<T>) {
  let started = false;
  const run = () => {
    started = true;
    return fn();
  };
  return locks.request(lockName, { signal: AbortSignal.timeout(timeoutMs) }, run).catch((error: unknown) => {
    if (started) throw error; // the refresh's own failure
    throw new TabLockError(
      `Another tab held the token lock for over ${timeoutMs} ms; raise lockTimeoutMs if refreshes are that slow.`,
      error,
    );
  });
}

function positiveMs(value: number, field: string): number {
  if (typeof value !== 'number' || !(value > 0)) throw invalidArgument(`tabSharedTokenStore: ${field} must be ms > 0`);
  return value;
}
