/**
 * What the ledger answers at once instead of running a request: a refusal from the reason
 * catalogue, or the kept answer of a key that is taken. A refusal is sent, never stored.
 */
import { createProblem, PROBLEM_CONTENT_TYPE, type ReasonCode, reasons } from '../../http/index.ts';
import type { IdempotencyClaim, StoredResponse } from '../../stores/types.ts';
import type { IdempotencyStart } from './start.ts';
import { isLostAnswer } from './stored-response.ts';

/** A refusal from the reason catalogue, as a response to send (the ledger never stores it). */
const problem = (code: ReasonCode, detail: string, headers: Record<string, string> = {}): StoredResponse => ({
  status: reasons[code].status,
  headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  body: JSON.stringify(createProblem(code, { detail })),
});

/** A refusal to answer now, never stored. */
export const refuse = (code: ReasonCode, detail: string, headers?: Record<string, string>): IdempotencyStart => ({
  action: 'answer',
  replayed: false,
  response: problem(code, detail, headers),
});

/** What a claim of a taken key answers: the kept answer again, or a refusal. */
export function answerTo(claim: Exclude<IdempotencyClaim, { state: 'new' }>, now: number): IdempotencyStart {
  switch (claim.state) {
    case 'done':
      if (isLostAnswer(claim.response)) {
        return refuse(
          'store_unavailable',
          'A request with this Idempotency-Key was processed, but its answer could not be kept, so it cannot be replayed; it will not run again under this key.',
        );
      }
      return {
        action: 'answer',
        replayed: true,
        response: { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } },
      };
    case 'pending':
      return refuse(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still being processed; send it again shortly.',
        { 'retry-after': '1' },
      );
    case 'conflict':
      return refuse(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request; use a new key for a new request.',
      );
    case 'full':
      // Fail closed: forgetting a live key would let its request run twice.
      return refuse('store_unavailable', 'The idempotency ledger is full; send the request again later.', {
        'retry-after': String(Math.max(1, Math.ceil((claim.until - now) / 1000))),
      });
    default:
      return claim satisfies never;
  }
}
