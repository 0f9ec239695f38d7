/**
 * How the idempotency ledger is set up (draft-ietf-httpapi-idempotency-key-header), read once per
 * request by beginIdempotent(); the defaults live here beside the options they fill.
 */
import type { IdempotencyLedger } from '../../stores/types.ts';

export interface IdempotencyOptions {
  ledger: IdempotencyLedger;
  /** How long a run holds its key before another may take over (a run that died). @default 30_000 ms */
  pendingMs?: number;
  /** How long an answer is kept for replay. @default 86_400_000 ms (24 h) */
  keepMs?: number;
  /** The methods the ledger covers; others pass straight through. @default ['POST', 'PATCH'] */
  methods?: readonly string[];
  /** Refuse a covered request that has no Idempotency-Key (400 `idempotency_key_missing`). @default false */
  required?: boolean;
  /**
   * Told, in one line, when the ledger could not keep an answer (a store failure after the run
   * took effect). The line names the method and path, never the key, the body or the store's message.
   * @default writes the line to stderr
   */
  onLedgerFailure?: (line: string, error: unknown) => void;
  /** The largest body the middleware reads to fingerprint a request; larger is 413 body_too_large. @default 1_048_576 */
  maxBodyBytes?: number;
}

const DEFAULT_METHODS = ['POST', 'PATCH'];
export const DEFAULT_KEEP_MS = 86_400_000; // 24 h
export const DEFAULT_PENDING_MS = 30_000;

/** Whether `options` covers this method (and so the middleware needs the body). */
export function coversMethod(options: IdempotencyOptions, method: string): boolean {
  return (options.methods ?? DEFAULT_METHODS).includes(method.toUpperCase());
}
