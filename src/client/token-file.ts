/**
 * The token file of `gatehouse-http/client/file-store` (Node only), read and written whole. A write goes
 * to a temporary file that is fsynced and renamed into place, so a crash mid-write leaves the old
 * file whole; the file is created with mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GatehouseError } from '../http/gatehouse-error.ts';
import type { Token } from './tokens/token.ts';

export interface TokenFile {
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

/** The tokens in the file; none when there is no file yet. */
export async function readTokenFile(path: string): Promise<TokenFile> {
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

export async function writeTokenFile(path: string, file: TokenFile): Promise<void> {
  await writePrivateFile(
    path,
    JSON.stringify(file, null, 2),
    (error) => new TokenFileError(`Cannot write the token file ${path}.`, error),
  );
}

/**
 * Writes `text` to `path` readable by its owner only (0600): to a temporary file that is fsynced and
 * renamed into place, then the directory fsynced. Also writes the DPoP key file (dpop-key-file.ts).
 */
export async function writePrivateFile(path: string, text: string, failed: (error: unknown) => Error): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw failed(error);
  }
  // The rename itself must reach the disk, or a crash could bring back the old file.
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
