/**
 * API keys: `<prefix>_<id>_<secret>`. The id finds the record; only a SHA-256 of the whole key
 * is stored (the key is random with 256 bits of secret, so a slow hash adds nothing), compared
 * in constant time. The key itself is shown once, when it is created.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from '../../http/argument-error.ts';

export interface CreatedApiKey {
  /** The key to hand to the caller, once. Never store it. */
  key: string;
  /** What finds the record: stored in clear. */
  id: string;
  /** What to store: hex SHA-256 of the key. */
  hash: string;
}

const KEY_PATTERN = /^([a-z][a-z0-9]{0,15})_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function createApiKey(options: { prefix?: string } = {}): CreatedApiKey {
  const prefix = options.prefix ?? 'gh';
  if (!/^[a-z][a-z0-9]{0,15}$/.test(prefix))
    throw invalidArgument('createApiKey: prefix must be 1–16 lower-case letters and digits, starting with a letter');
  const id = randomBytes(8).toString('hex').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  const key = `${prefix}_${id}_${secret}`;
  return { key, id, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The id of a well-formed key, or undefined. */
export function apiKeyId(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[2];
}

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const given = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
