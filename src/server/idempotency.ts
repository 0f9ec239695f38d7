/**
 * Idempotent POSTs (draft-ietf-httpapi-idempotency-key-header): the first request with an
 * Idempotency-Key runs and its answer is kept in the ledger; a repeat gets that answer again
 * (Idempotent-Replayed: true) instead of a second effect; a repeat that arrives while the first
 * still runs gets 409; the same key with another request gets 422.
 */
import { createHash } from 'node:crypto';
import { createProblem, PROBLEM_CONTENT_TYPE, type ReasonCode, reasons } from '../http/index.ts';
import type { IdempotencyLedger, StoredResponse } from '../stores/types.ts';

export interface IdempotencyOptions {
  ledger: IdempotencyLedger;
  /** How long a run holds its key before another may take over (a run that died). @default 30_000 ms */
  pendingMs?: number;
  /** How long an answer is kept for replay. @default 86_400_000 ms (24 h) */
  keepMs?: number;
}

export interface IdempotentRequest {
  method: string;
  /** Path and query: part of what the key must always come with. */
  target: string;
  /** The Idempotency-Key header, if any. */
  key: string | null;
  body: string;
}

/** A refusal from the reason catalogue, as a response the route can send (and the ledger never stores). */
const problem = (code: ReasonCode, detail: string, headers: Record<string, string> = {}): StoredResponse => ({
  status: reasons[code].status,
  headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  body: JSON.stringify(createProblem(code, { detail })),
});
/** Runs `run` at most once per key; returns the response to send. */
export async function idempotent(
  options: IdempotencyOptions,
  request: IdempotentRequest,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (request.key === null) return { ...(await run()), replayed: false };
  if (!/^[\x21-\x7e]{1,255}$/.test(request.key)) {
    return {
      ...problem('idempotency_key_invalid', 'An Idempotency-Key is 1 to 255 visible ASCII characters.'),
      replayed: false,
    };
  }
  const fingerprint = createHash('sha256').update(`${request.method} ${request.target}\n${request.body}`).digest('hex');
  const now = Date.now();
  const claim = await options.ledger.claim(request.key, fingerprint, now, options.pendingMs ?? 30_000);
  if (claim.state === 'done')
    return { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' }, replayed: true };
  if (claim.state === 'pending') {
    return {
      ...problem(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still being processed; send it again shortly.',
        { 'retry-after': '1' },
      ),
      replayed: false,
    };
  }
  if (claim.state === 'conflict') {
    return {
      ...problem(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request; use a new key for a new request.',
      ),
      replayed: false,
    };
  }
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await options.ledger.release(request.key);
    throw error;
  }
  // A server error took no effect (by contract): a retry may run it again. Anything else is the answer.
  if (response.status >= 500) await options.ledger.release(request.key);
  else await options.ledger.complete(request.key, response, Date.now(), options.keepMs ?? 86_400_000);
  return { ...response, replayed: false };
}
