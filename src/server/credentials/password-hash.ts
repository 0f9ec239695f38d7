/**
 * Password hashes in the PHC string format: argon2id (RFC 9106) through node:crypto where the
 * runtime has it (Node ≥ 24.7), scrypt (RFC 7914) elsewhere. Verification reads the algorithm
 * and parameters from the stored string, so hashes made with either keep working.
 */
import * as crypto from 'node:crypto';
import { promisify } from 'node:util';
import { invalidArgument } from '../../http/argument-error.ts';

/** OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_DEFAULTS = Object.freeze({ memory: 19_456, passes: 2, parallelism: 1 }); // memory in KiB
/** OWASP's minimum for scrypt: N=2^17, r=8, p=1. */
export const SCRYPT_DEFAULTS = Object.freeze({ cost: 2 ** 17, blockSize: 8, parallelization: 1 });

const TAG_LENGTH = 32; // bytes
const SALT_LENGTH = 16; // bytes

type Argon2 = (
  algorithm: 'argon2id',
  parameters: {
    message: string | Buffer;
    nonce: Buffer;
    parallelism: number;
    tagLength: number;
    memory: number;
    passes: number;
  },
  callback: (error: Error | null, result: Buffer) => void,
) => void;
const argon2 = (crypto as unknown as { argon2?: Argon2 }).argon2;
const argon2Async = argon2 ? promisify(argon2) : undefined;
const scryptAsync = promisify(crypto.scrypt) as (
  password: string | Buffer,
  salt: Buffer,
  length: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

export const ARGON2_AVAILABLE = argon2Async !== undefined;

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');
const unb64 = (text: string) => Buffer.from(text, 'base64');

export interface HashPasswordOptions {
  /** @default 'argon2id' when available, else 'scrypt' */
  algorithm?: 'argon2id' | 'scrypt';
}

/** Hashes a password with a fresh salt; the result carries everything verification needs. */
export async function hashPassword(password: string, options: HashPasswordOptions = {}): Promise<string> {
  if (typeof password !== 'string' || password.length === 0)
    throw invalidArgument('hashPassword(password): password must be a non-empty string');
  const algorithm = options.algorithm ?? (ARGON2_AVAILABLE ? 'argon2id' : 'scrypt');
  const salt = crypto.randomBytes(SALT_LENGTH);
  if (algorithm === 'argon2id') {
    if (!argon2Async) throw invalidArgument('hashPassword: argon2id needs Node ≥ 24.7; use { algorithm: "scrypt" }');
    const { memory, passes, parallelism } = ARGON2_DEFAULTS;
    const tag = await argon2Async('argon2id', {
      message: password,
      nonce: salt,
      parallelism,
      tagLength: TAG_LENGTH,
      memory,
      passes,
    });
    return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(salt)}$${b64(tag)}`;
  }
  const { cost, blockSize, parallelization } = SCRYPT_DEFAULTS;
  const key = await scryptAsync(password, salt, TAG_LENGTH, {
    N: cost,
    r: blockSize,
    p: parallelization,
    maxmem: 256 * cost * blockSize,
  });
  return `$scrypt$ln=${Math.log2(cost)},r=${blockSize},p=${parallelization}$${b64(salt)}$${b64(key)}`;
}

/**
 * Whether `password` matches `stored`, compared in constant time. A stored string that is not
 * a hash this module understands never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  // ['', algorithm, (version,) params, salt, hash]
  try {
    if (parts[1] === 'argon2id' && parts.length === 6 && argon2Async) {
      const params = Object.fromEntries(parts[3]!.split(',').map((kv) => kv.split('=') as [string, string]));
      const expected = unb64(parts[5]!);
      const tag = await argon2Async('argon2id', {
        message: password,
        nonce: unb64(parts[4]!),
        parallelism: Number(params['p']),
        tagLength: expected.length,
        memory: Number(params['m']),
        passes: Number(params['t']),
      });
      return crypto.timingSafeEqual(tag, expected);
    }
    if (parts[1] === 'scrypt' && parts.length === 5) {
      const params = Object.fromEntries(parts[2]!.split(',').map((kv) => kv.split('=') as [string, string]));
      const expected = unb64(parts[4]!);
      const cost = 2 ** Number(params['ln']);
      const r = Number(params['r']);
      const key = await scryptAsync(password, unb64(parts[3]!), expected.length, {
        N: cost,
        r,
        p: Number(params['p']),
        maxmem: 256 * cost * r,
      });
      return crypto.timingSafeEqual(key, expected);
    }
  } catch {
    return false;
  }
  return false;
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as a real verification, for an unknown user: a missing account and a
 * wrong password must not be told apart by timing (no username enumeration).
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('gatehouse-dummy-password');
  await verifyPassword(password, await dummy);
  return false;
}
