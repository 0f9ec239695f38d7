/**
 * The root of every error the Gatehouse client throws. Callers test `error.code`, which is
 * stable, rather than messages, which may improve. No message carries a secret.
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
