/**
 * The lock file beside the token file of `gatehouse-http/client/file-store` (Node only): two processes on
 * one machine take turns, so they make one refresh between them, not two. A lock whose holder died,
 * or older than `staleLockMs`, is taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sleep } from './abortable-wait.ts';
import { TokenFileError } from './token-file.ts';

export interface LockFile {
  /** The token file the lock guards, named in errors. */
  path: string;
  lockPath: string;
  lockTimeoutMs: number;
  staleLockMs: number;
}

/** Waits for the lock and takes it; resolves to the function that gives it back. */
export async function acquireLock({
  path,
  lockPath,
  lockTimeoutMs,
  staleLockMs,
}: LockFile): Promise<() => Promise<void>> {
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
    if (await isStale(lockPath, staleLockMs)) {
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

async function isStale(lockPath: string, staleLockMs: number): Promise<boolean> {
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
    // Not a whole stamp: a writer killed between creating its lock and writing the stamp (or one
    // that writes the lock some other way) left it.
    // Give a live writer a moment, then take it over rather than wait for the lock timeout.
    const since = await stat(lockPath).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    return since > 1000;
  }
}
