/**
 * `gatehouse/client/file-store` (Node only): tokens in a JSON file that survives restarts.
 * Writes go to a temporary file that is fsynced and renamed into place, so a crash mid-write
 * leaves the old file whole; the file is created with mode 0600; a lock file makes two processes
 * on one machine take turns, so they make one refresh between them, not two.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalidArgument } from '../http/argument-error.ts';
import { GatehouseError } from '../http/gatehouse-error.ts';
import { sleep } from './abortable-wait.ts';
import { isTokenObject, type Token } from './tokens/token.ts';
import type { TokenStore } from './tokens/token-store.ts';

export interface FileTokenStoreOptions {
  /** How long to wait for another process's lock, in ms. @default 10_000 */
  lockTimeoutMs?: number;
  /** A lock older than this is taken over (its holder crashed), in ms. @default 30_000 */
  staleLockMs?: number;
}

interface TokenFile {
  version: 1;
  tokens: Record<string, Token>;
}

/** The token file cannot be read or written; the message says which file and what to do. */
export class TokenFileError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TOKEN_FILE';
  constructor(message: string, cause?: unknown) {
    super(message, TokenFileError.code, { cause });
  }
}

export function fileTokenStore(path: string, options: FileTokenStoreOptions = {}): TokenStore {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('fileTokenStore(path): path must be a file path');
  const lockPath = `${path}.lock`;
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  const staleLockMs = options.staleLockMs ?? 30_000;
  // Which async call chains of this process hold the lock, so set() inside lock() does not wait on itself.
  const holding = new AsyncLocalStorage<boolean>();

  async function readTokens(): Promise<TokenFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, tokens: {} };
      throw new TokenFileError(`Cannot read the token file ${path}: ${(error as NodeJS.ErrnoException).code}.`, error);
    }
    try {
      const parsed = JSON.parse(text) as TokenFile;
      if (parsed?.version !== 1 || typeof parsed.tokens !== 'object' || parsed.tokens === null)
        throw new Error('unexpected shape');
      return parsed;
    } catch (error) {
      throw new TokenFileError(
        `The token file ${path} is not a Gatehouse token file; delete it to start over (its tokens are lost).`,
        error,
      );
    }
  }

  async function writeTokens(file: TokenFile): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(file, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await chmod(temporary, 0o600);
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw new TokenFileError(`Cannot write the token file ${path}.`, error);
    }
    // The rename itself must reach the disk, or a crash could bring back the old file.
    const directory = await open(dirname(path), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  async function acquire(): Promise<() => Promise<void>> {
    const deadline = Date.now() + lockTimeoutMs;
    const stamp = JSON.stringify({ pid: process.pid, at: Date.now(), id: randomBytes(6).toString('hex') });
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    for (;;) {
      // The lock appears with its stamp already in it: the stamp goes to a private file that is
      // hard-linked into place (link fails if the lock exists). A holder killed at any moment
      // leaves either no lock or a whole one whose pid says it is dead — never an empty lock.
      const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
      try {
        const handle = await open(draft, 'wx', 0o600);
        try {
          await handle.writeFile(stamp);
        } finally {
          await handle.close();
        }
        await link(draft, lockPath);
        return async () => {
          // Remove the lock only if it is still ours.
          const current = await readFile(lockPath, 'utf8').catch(() => '');
          if (current === stamp) await unlink(lockPath).catch(() => {});
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new TokenFileError(`Cannot create the lock file ${lockPath}.`, error);
      } finally {
        await unlink(draft).catch(() => {});
      }
      if (await isStale()) {
        await unlink(lockPath).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) {
        throw new TokenFileError(
          `Timed out after ${lockTimeoutMs} ms waiting for ${lockPath}; if no other process uses ${path}, delete the lock file.`,
        );
      }
      await sleep(20 + Math.random() * 30);
    }
  }

  async function isStale(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(lockPath, 'utf8');
    } catch {
      return false; // gone already: the next attempt takes it
    }
    try {
      const { pid, at } = JSON.parse(text) as { pid: number; at: number };
      if (Date.now() - at > staleLockMs) return true;
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    } catch {
      // Not a whole stamp: left by an older version killed between creating and writing its lock.
      // Give a live writer a moment, then take it over rather than wait for the lock timeout.
      const since = await stat(lockPath).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      return since > 1000;
    }
  }

  async function locked<T>(fn: () => Promise<T>): Promise<T> {
    if (holding.getStore()) return fn();
    const release = await acquire();
    try {
      return await holding.run(true, fn);
    } finally {
      await release();
    }
  }

  return {
    async get(key) {
      const token = (await readTokens()).tokens[key];
      return isTokenObject(token) ? token : undefined;
    },
    set: (key, token) =>
      locked(async () => {
        const file = await readTokens();
        file.tokens[key] = token;
        await writeTokens(file);
      }),
    delete: (key) =>
      locked(async () => {
        const file = await readTokens();
        delete file.tokens[key];
        await writeTokens(file);
      }),
    lock: (_key, fn) => locked(fn),
  };
}
