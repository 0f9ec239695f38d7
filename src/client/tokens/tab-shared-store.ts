/**
 * `tabSharedTokenStore()`: a token store for browsers that gives the tabs of one origin one token
 * and one refresh. A refresh runs under a Web Lock (`navigator.locks`), so one tab refreshes
 * while the others wait, then find the new token in the store and use it: with refresh-token
 * rotation, two tabs never spend the same refresh token (which would revoke its family, RFC 9700
 * §4.14.2). The token is kept in `localStorage`, so a tab opened later starts with it, and each
 * change is posted on a BroadcastChannel, so open tabs take it at once (a sign-out too).
 * Without Web Locks, a lock in storage takes their place (storage-lock.ts); without
 * BroadcastChannel, tabs still read the stored token when they next need one.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { TabLockError, type TokenStorage, withStorageLock } from './storage-lock.ts';
import { isTokenObject, type Token } from './token.ts';
import type { TokenStore } from './token-store.ts';

export { TabLockError, type TokenStorage } from './storage-lock.ts';

export interface TabSharedTokenStoreOptions {
  /** Prefixes the storage keys, the lock and the channel, so two apps on one origin stay apart. @default 'gatehouse' */
  name?: string;
  /**
   * Where tokens persist for tabs opened later. `null` keeps them in memory, shared only with the
   * tabs open now (and then Web Locks are required). Anything in `localStorage` is readable by any
   * script on the origin: keep the origin free of XSS. @default globalThis.localStorage
   */
  storage?: TokenStorage | null;
  /** How long a tab waits for another tab's refresh, in ms. @default 60_000 */
  lockTimeoutMs?: number;
  /** Without Web Locks: a lock whose tab stopped renewing it this long ago is taken over, in ms. @default 10_000 */
  staleLockMs?: number;
}

interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal }, fn: () => Promise<T>): Promise<T>;
}

interface Change {
  key: string;
  token: Token | undefined;
}

export function tabSharedTokenStore(options: TabSharedTokenStoreOptions = {}): TokenStore {
  const name = options.name ?? 'gatehouse';
  if (typeof name !== 'string' || !/^[\w.:-]{1,100}$/.test(name))
    throw invalidArgument('tabSharedTokenStore: name must be 1 to 100 letters, digits, _ . : or -');
  const storage =
    options.storage === undefined ? (globalThis as { localStorage?: TokenStorage }).localStorage : options.storage;
  const lockTimeoutMs = positiveMs(options.lockTimeoutMs ?? 60_000, 'lockTimeoutMs');
  const staleLockMs = positiveMs(options.staleLockMs ?? 10_000, 'staleLockMs');
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  // Without a lock every tab would refresh on its own and fork the rotation chain: refuse instead.
  if (!locks && !storage)
    throw invalidArgument(
      'tabSharedTokenStore: this browser has no Web Locks; give it a storage for the fallback lock',
    );

  const memory = new Map<string, Token>();
  const watchers = new Map<string, Set<(token: Token | undefined) => void>>();
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  const channel = Channel ? new Channel(`${name}:tokens`) : undefined;
  (channel as { unref?: () => void } | undefined)?.unref?.(); // in Node, the channel does not hold the process open
  const storageKey = (key: string) => `${name}:token:${key}`;

  function changed({ key, token }: Change) {
    if (token) memory.set(key, { ...token });
    else memory.delete(key);
    for (const watcher of watchers.get(key) ?? []) watcher(token && { ...token });
  }
  channel?.addEventListener('message', (event: MessageEvent) => {
    const change = event.data as Change | null;
    if (change && typeof change.key === 'string' && (change.token === undefined || isTokenObject(change.token)))
      changed(change);
  });
  function publish(change: Change) {
    if (change.token) memory.set(change.key, { ...change.token });
    else memory.delete(change.key);
    channel?.postMessage(change);
  }

  return {
    async get(key) {
      if (!storage) return memory.has(key) ? { ...memory.get(key)! } : undefined;
      try {
        const token: unknown = JSON.parse(storage.getItem(storageKey(key)) ?? 'null');
        return isTokenObject(token) ? token : undefined;
      } catch {
        return undefined; // an unreadable entry is no token: the source fetches a new one
      }
    },
    async set(key, token) {
      storage?.setItem(storageKey(key), JSON.stringify(token));
      publish({ key, token: { ...token } });
    },
    async delete(key) {
      storage?.removeItem(storageKey(key));
      publish({ key, token: undefined });
    },
    lock<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const lockName = `${name}:lock:${key}`;
      if (locks) return withWebLock(locks, lockName, lockTimeoutMs, fn);
      return withStorageLock(storage!, lockName, { lockTimeoutMs, staleLockMs, settleMs: 150 }, fn);
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
