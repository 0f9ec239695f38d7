/**
 * The root of every error Gatehouse throws for a caller to catch: the client's, the server's, the
 * stores' and the doctor's. Each kind has its own class below it and a stable `code`; callers test
 * `error instanceof` or `error.code`, which stay, rather than messages, which may improve. No
 * message carries a secret. (An argument the shared model cannot use is a TypeError with the code
 * ERR_GATEHOUSE_INVALID_ARGUMENT, see argument-error.ts: a mistake in the calling code, as
 * JavaScript's own built-ins report one.)
 */
export class GatehouseError extends Error {
  static readonly code: string = 'ERR_GATEHOUSE';
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
