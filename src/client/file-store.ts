/**
 * `gatehouse-http/client/file-store` (Node only): tokens in a JSON file that survives restarts.
 * Writes go to a temporary file that is fsynced and renamed into place, so a crash mid-write
 * leaves the old file whole; the file is created with mode 0600 (token-file.ts); a lock file makes
 * two processes on one machine take turns, so they make one refresh between them, not two
 * (lock-file.ts). `fileDpopKey(path)` keeps a DPoP key beside it (dpop-key-file.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { invalidArgument } from '../http/argument-error.ts';
import { acquireLock, type LockFile } from './lock-file.ts';
import { readTokenFile, writeTokenFile } from './token-file.ts';
import { isTokenObject } from './tokens/token.ts';
import type { TokenStore } from './tokens/token-store.ts';

export { DpopKeyFileError, type FileDpopKeyOptions, fileDpopKey } from './dpop-key-file.ts';
export { TokenFileError } from './token-file.ts';

export interface FileTokenStoreOptions {
  /** How long to wait for another process's lock, in ms. @default 10_000 */
  lockTimeoutMs?: number;
  /** A lock older than this is taken over (its holder crashed), in ms. @default 30_000 */
  staleLockMs?: number;
}

export function fileTokenStore(path: string, options: FileTokenStoreOptions = {}): TokenStore {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('fileTokenStore(path): path must be a file path');
  const lock: LockFile = {
    path,
    lockPath: `${path}.lock`,
    lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
    staleLockMs: options.staleLockMs ?? 30_000,
  };
  // Which async call chains of this process hold the lock, so set() inside lock() does not wait on itself.
  const holding = new AsyncLocalStorage<boolean>();

  async function locked<T>(fn: () => Promise<T>): Promise<T> {
    if (holding.getStore()) return fn();
    const release = await acquireLock(lock);
    try {
      return await holding.run(true, fn);
    } finally {
      await release();
    }
  }

  return {
    async get(key) {
      const token = (await readTokenFile(path)).tokens[key];
      return isTokenObject(token) ? token : undefined;
    },
    set: (key, token) =>
      locked(async () => {
        const file = await readTokenFile(path);
        file.tokens[key] = token;
        await writeTokenFile(path, file);
      }),
    delete: (key) =>
      locked(async () => {
        const file = await readTokenFile(path);
        delete file.tokens[key];
        await writeTokenFile(path, file);
      }),
    lock: (_key, fn) => locked(fn),
  };
}
