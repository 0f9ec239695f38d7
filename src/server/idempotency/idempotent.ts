/** idempotent(): the ledger around a function that answers, for code that holds the whole answer at once. */
import type { StoredResponse } from '../../stores/types.ts';
import { beginIdempotent } from './begin-idempotent.ts';
import type { IdempotencyOptions } from './options.ts';
import type { IdempotentRequest } from './start.ts';

/** Runs `run` at most once per key; returns the response to send. */
export async function idempotent(
  options: IdempotencyOptions,
  request: IdempotentRequest,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const start = await beginIdempotent({ methods: [request.method.toUpperCase()], ...options }, request);
  if (start.action === 'pass') return { ...(await run()), replayed: false };
  if (start.action === 'answer') return { ...start.response, replayed: start.replayed };
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await start.abandon();
    throw error;
  }
  await start.finish(response);
  return { ...response, replayed: false };
}
