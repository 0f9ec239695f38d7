import { GatehouseError } from '../http/gatehouse-error.ts';

/**
 * A store, or the Redis beside it, that could not be connected to when it was opened: not
 * listening, not answering in time, or refusing the connection. Thrown at once, so that a
 * server never starts serving on a dependency that is not there.
 */
export class StoreUnreachableError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_STORE_UNREACHABLE';
  declare readonly code: typeof StoreUnreachableError.code;
  /** Its URL as given, without a password. */
  readonly url: string;
  /** @param what `Redis` or `the store` */
  constructor(what: string, url: string, cause: unknown) {
    super(`cannot connect to ${what} at ${url} (${briefly(cause)})`, StoreUnreachableError.code, { cause });
    this.url = url;
  }
}

/**
 * The cause in a word or a line: a system error's code (ECONNREFUSED, ETIMEDOUT, ENOTFOUND), else
 * the driver's message when it holds no URL (pg's "password authentication failed for user …"
 * names the user, never the password), else the error's name.
 */
function briefly(cause: unknown): string {
  const e = (cause ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
  const message = typeof e.message === 'string' ? e.message.trim() : '';
  if (message && message.length <= 120 && !message.includes('://') && !/[\r\n]/.test(message)) return message;
  return typeof e.name === 'string' ? e.name : 'no answer';
}
