/** Reading a HAR file: bounded, parsed, and checked to hold `log.entries` before any entry is read. */
import { open } from 'node:fs/promises';
import { GatehouseError } from '../http/gatehouse-error.ts';

/**
 * The largest HAR file read: devtools exports with response bodies run to tens of MiB, and the
 * file is parsed whole, so a larger one (or a device that never ends) is refused before it fills
 * the memory.
 */
export const MAX_HAR_BYTES = 64 * 1024 * 1024; // bytes

/** A HAR file that does not exist or cannot be read as one. */
export class HarError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_HAR';
  declare readonly code: typeof HarError.code;
  constructor(message: string) {
    super(message, HarError.code);
  }
}

const EXPORT_HINT = 'export it from the Network tab: "Save all as HAR"';

/** The entries of the HAR file at `path`, each still unread; a HarError when the file is no HAR. */
export async function readHarEntries(path: string): Promise<unknown[]> {
  const text = await readBounded(path);
  let har: unknown;
  try {
    har = JSON.parse(text);
  } catch {
    throw new HarError(`${path} is not a JSON HAR file (${EXPORT_HINT})`);
  }
  const entries = (har as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw new HarError(`${path} has no log.entries: is it a HAR file? (${EXPORT_HINT})`);
  return entries;
}

/** The file's text, read a chunk at a time and never more than MAX_HAR_BYTES of it. */
async function readBounded(path: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new HarError(`${path} ${unreadable(error)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_HAR_BYTES + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_HAR_BYTES)
        throw new HarError(`${path} is larger than 64 MiB: save a HAR of the failing requests only`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (error) {
    if (error instanceof HarError) throw error;
    throw new HarError(`${path} ${unreadable(error)}`);
  } finally {
    await handle.close();
  }
}

function unreadable(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return 'is a folder, not a HAR file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    default:
      return `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
  }
}
