/**
 * Idempotent POSTs (draft-ietf-httpapi-idempotency-key-header): the first request with an
 * Idempotency-Key runs and its answer is kept in the ledger; a repeat gets that answer again
 * (Idempotent-Replayed: true) instead of a second effect; a repeat that arrives while the first
 * still runs gets 409; the same key with another request gets 422.
 *
 * beginIdempotent() claims the key and says what to do (answer, run, or pass); a run ends with
 * finish (the answer is kept) or abandon (the key is given back). The `idempotency()` middleware
 * of each adapter is built on it; idempotent() wraps a function that answers.
 */
import { createHash } from 'node:crypto';
import { claimedBeforeUpgrade, oldKeyWhileLive } from './before-upgrade.ts';
import { answerTo, refuse } from './claim-answers.ts';
import { keepAnswer } from './keep-answer.ts';
import { ledgerKey } from './ledger-keys.ts';
import { coversMethod, DEFAULT_KEEP_MS, DEFAULT_PENDING_MS, type IdempotencyOptions } from './options.ts';
import type { IdempotencyStart, IdempotentRequest } from './start.ts';

/**
 * Claims the request's key. `body` is read only when the request is covered and has a key.
 * A request whose method is not covered, or that has no key (and none is required), passes.
 */
export async function beginIdempotent(
  options: IdempotencyOptions,
  request: Omit<IdempotentRequest, 'body'> & {
    body: IdempotentRequest['body'] | (() => Promise<IdempotentRequest['body']>);
  },
): Promise<IdempotencyStart> {
  if (!coversMethod(options, request.method)) return { action: 'pass' };
  if (request.key === null) {
    if (!options.required) return { action: 'pass' };
    // The path only: a query may carry a credential (an API key in ?api_key=), and details are sent back.
    const path = request.target.split('?')[0];
    return refuse('idempotency_key_missing', `${request.method} ${path} needs an Idempotency-Key header.`);
  }
  if (!/^[\x21-\x7e]{1,255}$/.test(request.key))
    return refuse('idempotency_key_invalid', 'An Idempotency-Key is 1 to 255 visible ASCII characters.');
  const body = typeof request.body === 'function' ? await request.body() : request.body;
  const fingerprint = createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.target}\n`)
    .update(body)
    .digest('hex');
  const key = ledgerKey(request.key, request.principal);
  const { ledger } = options;
  const now = Date.now();
  const pendingMs = options.pendingMs ?? DEFAULT_PENDING_MS;
  const claim = await ledger.claim(key, fingerprint, now, pendingMs);
  if (claim.state !== 'new') return answerTo(claim, now);
  const keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
  const old = oldKeyWhileLive(request.key, request.principal, now, keepMs, pendingMs);
  let before: IdempotencyStart | undefined;
  try {
    before = await claimedBeforeUpgrade(ledger, old, fingerprint, now, pendingMs);
  } catch (error) {
    await ledger.release(key).catch(() => {});
    throw error;
  }
  if (before) {
    await ledger.release(key);
    return before;
  }
  return {
    action: 'run',
    finish: (response) => (response.status >= 500 ? ledger.release(key) : keepAnswer(options, request, key, response)),
    abandon: () => ledger.release(key),
  };
}
