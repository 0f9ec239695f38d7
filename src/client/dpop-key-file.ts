/**
 * A DPoP key (RFC 9449) kept in a file beside the token file (Node only), so that the next process
 * signs with the same key and can use the refresh tokens bound to it (RFC 9449 §5: a public
 * client's refresh token is bound to the key; another key cannot use it). The private key is a JWK
 * in a file of mode 0600, written like the token file (temporary file, fsync, rename) and made
 * under the lock file so two processes starting at once make one key between them. A key file that
 * others may read, or that cannot be read, is an error that says what to do, never quietly a new
 * key. Once read, the private key is imported non-extractable; no message carries it.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { invalidArgument } from '../http/argument-error.ts';
import { GatehouseError } from '../http/gatehouse-error.ts';
import { type DpopKey, dpop } from './auth/dpop.ts';
import { acquireLock } from './lock-file.ts';
import { writePrivateFile } from './token-file.ts';

/** The DPoP key file cannot be read, is not one, or others may read it; the message says what to do. */
export class DpopKeyFileError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_DPOP_KEY_FILE';
  /** No cause is kept: a parser's message could quote the file, and the file holds a private key. */
  constructor(message: string) {
    super(message, DpopKeyFileError.code);
  }
}

export interface FileDpopKeyOptions {
  /** How long to wait for another process's lock while the key is made, in ms. @default 10_000 */
  lockTimeoutMs?: number;
  /** A lock older than this is taken over (its holder crashed), in ms. @default 30_000 */
  staleLockMs?: number;
}

const kind = 'gatehouse-dpop-key';
const maxBytes = 16 * 1024;
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const keep = ' Do not delete it unless you mean to sign in again: tokens bound to its key cannot move to another key.';

/**
 * The DPoP key kept in `path` (created with mode 0600 on first use), e.g. `tokens.json.dpop-key` beside
 * a `fileTokenStore('tokens.json')`. Resolves once the key is read or made, so a bad file fails at start.
 */
export async function fileDpopKey(path: string, options: FileDpopKeyOptions = {}): Promise<DpopKey> {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument('fileDpopKey(path): path must be a file path');
  let release: () => Promise<void>;
  try {
    release = await acquireLock({
      path,
      lockPath: `${path}.lock`,
      lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
      staleLockMs: options.staleLockMs ?? 30_000,
    });
  } catch (error) {
    if (error instanceof GatehouseError) throw error; // the lock's own timeout says what to do
    // The folder cannot be made or written (a file in its place, no permission): the system's code only.
    const code = (error as NodeJS.ErrnoException).code ?? 'an error of the file system';
    throw new DpopKeyFileError(
      `Cannot use the DPoP key file ${path} (${code}): check that its folder can be made and written.`,
    );
  }
  try {
    return dpop({ keyPair: (await readKeyFile(path)) ?? (await createKeyFile(path)) });
  } finally {
    await release();
  }
}

async function readKeyFile(path: string): Promise<CryptoKeyPair | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new DpopKeyFileError(`Cannot read the DPoP key file ${path} (${code}): let this user read it.${keep}`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > maxBytes) throw notAKeyFile(path);
    // The mode bits mean nothing on Windows, where access is by ACL.
    if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0)
      throw new DpopKeyFileError(
        `The DPoP key file ${path} has mode 0${(stats.mode & 0o777).toString(8)}, but it holds a private key ` +
          `and must be readable by its owner only: run chmod 600 on it if nobody else can have read it, ` +
          `otherwise delete it and sign in again.`,
      );
    return await importKeyPair(path, await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

async function importKeyPair(path: string, text: string): Promise<CryptoKeyPair> {
  let jwk: Record<string, unknown>;
  try {
    const parsed = JSON.parse(text) as { version?: unknown; kind?: unknown; jwk?: Record<string, unknown> };
    if (parsed?.version !== 1 || parsed.kind !== kind || typeof parsed.jwk !== 'object' || parsed.jwk === null)
      throw notAKeyFile(path);
    jwk = parsed.jwk;
  } catch {
    throw notAKeyFile(path);
  }
  const { kty, crv, x, y, d } = jwk;
  if (kty !== 'EC' || crv !== 'P-256' || ![x, y, d].every((part) => typeof part === 'string')) throw notAKeyFile(path);
  try {
    // Non-extractable from here on: this process can sign with it, never read it out again.
    const privateKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y, d } as JsonWebKey, ecdsa, false, [
      'sign',
    ]);
    const publicKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y } as JsonWebKey, ecdsa, true, ['verify']);
    // A private half that does not match the public one would make every proof fail at the server.
    const probe = new Uint8Array(16);
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, probe);
    if (!(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, probe)))
      throw notAKeyFile(path);
    return { privateKey, publicKey };
  } catch {
    throw notAKeyFile(path);
  }
}

async function createKeyFile(path: string): Promise<CryptoKeyPair> {
  // Extractable only long enough to be written; the key used is imported again, non-extractable.
  const made = (await crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', made.privateKey);
  const text = JSON.stringify({ version: 1, kind, jwk: { kty, crv, x, y, d } });
  await writePrivateFile(
    path,
    text,
    (error) =>
      new DpopKeyFileError(
        `Cannot write the DPoP key file ${path} (${(error as NodeJS.ErrnoException).code}): ` +
          `let this user write to its directory.`,
      ),
  );
  return importKeyPair(path, text);
}

const notAKeyFile = (path: string) =>
  new DpopKeyFileError(
    `The DPoP key file ${path} is not a Gatehouse DPoP key file (damaged or replaced): restore it from a backup, ` +
      `or delete it and sign in again (tokens bound to the old key cannot be used with a new one).`,
  );
