/**
 * A request as the idempotency ledger sees it, and what the ledger says to do with it. The shapes
 * every part of the ledger and every adapter's middleware share; nothing here does any work.
 */
import type { StoredResponse } from '../../stores/types.ts';
import type { KeyOwner } from './ledger-keys.ts';

export interface IdempotentRequest {
  method: string;
  /** Path and query: part of what the key must always come with. */
  target: string;
  /** The Idempotency-Key header, if any. */
  key: string | null;
  body: string | Uint8Array;
  /**
   * Whose key it is: the principal the guard verified. Keys are kept per principal (scheme, JWT
   * issuer and id), apart from those of callers without one, so no caller's key ever reaches
   * another's entry (src/server/idempotency/ledger-keys.ts).
   */
  principal?: KeyOwner | undefined;
}

/** What to do with a request: answer it now (a replay or a refusal), run it, or let it pass. */
export type IdempotencyStart =
  | { action: 'pass' }
  | { action: 'answer'; response: StoredResponse; replayed: boolean }
  | {
      action: 'run';
      /** Records the answer (a 5xx releases the key instead: by contract it took no effect). */
      finish(response: StoredResponse): Promise<void>;
      /** The run failed before it took effect: a retry may run it again. */
      abandon(): Promise<void>;
    };

/** A request that runs: its answer goes to `finish`, or its key is given back with `abandon`. */
export type IdempotentRun = Extract<IdempotencyStart, { action: 'run' }>;
