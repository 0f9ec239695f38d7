/**
 * Keeping a run's answer in the ledger. The run took effect, so a failure here must not free its
 * key (after pendingMs a repeat would run it again): the entry is marked as done without an
 * answer instead (LOST_ANSWER), and repeats are refused until keepMs passes.
 */
import type { StoredResponse } from '../../stores/types.ts';
import { DEFAULT_KEEP_MS, type IdempotencyOptions } from './options.ts';
import type { IdempotentRequest } from './start.ts';
import { LOST_ANSWER } from './stored-response.ts';

/** Keeps the answer under `key`. Never rejects: the answer is sent all the same. */
export async function keepAnswer(
  options: IdempotencyOptions,
  request: Pick<IdempotentRequest, 'method' | 'target'>,
  key: string,
  response: StoredResponse,
): Promise<void> {
  const keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
  try {
    await options.ledger.complete(key, response, Date.now(), keepMs);
    return;
  } catch (error) {
    const reserved = await options.ledger.complete(key, LOST_ANSWER, Date.now(), keepMs).then(
      () => true,
      () => false,
    );
    // The store's message stays out: it may quote what was being written.
    const cause = [(error as Error)?.name, (error as { code?: unknown })?.code].filter(Boolean).join(' ');
    const line =
      `gatehouse idempotency(): the answer to ${request.method.toUpperCase()} ${request.target.split('?')[0]} could not be kept (${cause || 'store failure'}); ` +
      (reserved
        ? 'its key stays taken and repeats get 503 store_unavailable until keepMs passes'
        : 'nor could its key be kept: a repeat after pendingMs may run it again');
    (options.onLedgerFailure ?? ((text) => console.error(text)))(line, error);
  }
}
