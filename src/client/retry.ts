/**
 * The retry stage: the loop around each attempt. It waits out origin cooldowns, bounds each
 * attempt in time, decides with retry-policy.ts whether to go again, and sleeps abortably.
 */
import { INVALID_ARGUMENT } from '../http/argument-error.ts';
import { GatehouseError } from '../http/gatehouse-error.ts';
import { sleep } from './abortable-wait.ts';
import { Budget, BudgetExpired } from './deadline.ts';
import { httpErrorFor } from './errors/http-error.ts';
import { isBadPort, NetworkError, systemErrorCode } from './errors/network-error.ts';
import { TimeoutError } from './errors/timeout-error.ts';
import type { OriginConcurrency } from './origin-concurrency.ts';
import type { OriginCooldown } from './origin-cooldown.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { problemCode, readProblem } from './problem-body.ts';
import { type AttemptOutcome, decideRetry, type RetryPolicy, serverWait } from './retry-policy.ts';
import { discard, type Send } from './transport.ts';

export interface RetryEvent {
  method: string;
  url: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  /** What failed: a status, `network` or `timeout`. */
  cause: number | 'network' | 'timeout';
  /** Whether the wait came from the server (Retry-After or rate-limit fields). */
  serverAsked: boolean;
}

export interface CallState {
  method: string;
  /** The URL as messages show it. */
  url: string;
  total: Budget;
  callerSignal: AbortSignal | undefined;
  attemptTimeout: number | undefined;
  policy: RetryPolicy;
  cooldown: OriginCooldown;
  concurrency: OriginConcurrency;
  onRetry: (event: RetryEvent) => void;
  /** Filled in as the call goes: the attempts made, and why it stopped short. */
  attempts: number;
  note: string | undefined;
  retryAfterMs: number | undefined;
}

// Errors that mean the request never left: no server can have acted on it.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EHOSTUNREACH']);

/*
 * The loop keeps only what every attempt needs in its own frame; what a failure, a lockout or a
 * retried status needs is worked out in the functions it calls, whose frames exist only then.
 */
export async function sendWithRetry(request: OutgoingRequest, state: CallState, next: Send): Promise<Response> {
  const origin = request.url.origin;
  for (let attempt = 1; ; attempt++) {
    // A place first, then the cooldown: a request that queued for a place while another got a
    // 429 must still wait out the Retry-After that 429 brought.
    // Both checks are synchronous when there is nothing to wait for, as on almost every request.
    const leave = state.concurrency.tryEnter(origin) ?? (await enterGate(origin, state));
    // pace() counts the request as sent when it lets it go; settle() below ends that.
    if (state.cooldown.get(origin) || state.cooldown.pace(origin) > 0) await waitYourTurn(origin, state, leave);
    state.attempts = attempt;
    const budget = Budget.of('attempt', state.attemptTimeout, state.total.signal);
    let response: Response | undefined;
    try {
      response = await next(request, { signal: budget.signal, attempt });
      // A lockout pauses sign-in for one account from this client, not the origin: no cooldown, no
      // smaller concurrency, no retry (nothing changes before its Retry-After, often many minutes).
      if (response.status === 429 && (await lockedOut(response, state))) return response;
      if (response.status === 429 || (response.status === 503 && response.headers.has('retry-after')))
        state.concurrency.tooMany(origin);
      else if (response.ok) state.concurrency.accepted(origin);
    } catch (error) {
      // Returns to retry; throws the call's error otherwise.
      await recoverFrom(error, budget, attempt, request, state);
      continue;
    } finally {
      budget.dispose();
      leave();
      state.cooldown.settle(origin, response);
    }
    if (response.ok || !state.policy.statusCodes.includes(response.status)) return response;
    if (request.body.exhausted) {
      state.note = 'Not retried: the body was a one-shot ReadableStream (pass body: () => stream to allow retries).';
      return response;
    }
    if (!(await prepareRetry({ kind: 'response', response }, attempt, request, state))) return response;
  }
}

/** Waits for the origin's cooldown and quota; a wait that fails gives the place back first. */
async function waitYourTurn(origin: string, state: CallState, leave: () => void): Promise<void> {
  // While it waits, the origin's closed window is kept (never evicted to make room for others).
  const doneWaiting = state.cooldown.waiting(origin);
  try {
    await waitBeforeSending(origin, state);
  } catch (error) {
    leave();
    throw error;
  } finally {
    doneWaiting();
  }
}

async function lockedOut(response: Response, state: CallState): Promise<boolean> {
  if (problemCode(await readProblem(response)) !== 'locked_out') return false;
  state.note = 'Not retried: sign-in with these credentials is locked out (locked_out); other calls go on.';
  return true;
}

/** After an attempt that threw: returns when it is retried (after its wait), else throws the call's error. */
async function recoverFrom(
  error: unknown,
  budget: Budget,
  attempt: number,
  request: OutgoingRequest,
  state: CallState,
): Promise<void> {
  const outcome = classify(error, budget, state);
  if (outcome.kind === 'network' && request.body.exhausted) {
    throw networkError(
      state,
      error,
      outcome.notSent,
      'Not retried: the body was a one-shot ReadableStream (pass body: () => stream to allow retries).',
    );
  }
  if (await prepareRetry(outcome, attempt, request, state)) return;
  throw outcome.kind === 'timeout'
    ? new TimeoutError({
        which: 'attempt',
        timeoutMs: state.attemptTimeout ?? 0,
        method: state.method,
        url: state.url,
        attempts: attempt,
        note: state.note,
      })
    : networkError(state, error, outcome.kind === 'network' && outcome.notSent, state.note);
}

function classify(error: unknown, budget: Budget, state: CallState): AttemptOutcome {
  if (state.callerSignal?.aborted) throw state.callerSignal.reason;
  const reason = budget.signal?.aborted ? budget.signal.reason : undefined;
  if (reason instanceof BudgetExpired && reason.which === 'total') {
    throw totalTimeout(state);
  }
  if (reason instanceof BudgetExpired) return { kind: 'timeout' };
  // Our own errors (a failed token refresh, a body that cannot be replayed) are final, and so is
  // a caller's mistake a strategy found (e.g. a nonce of the wrong format): no retry mends it.
  if (error instanceof GatehouseError) throw error;
  if ((error as { code?: unknown } | undefined)?.code === INVALID_ARGUMENT) throw error;
  // Fetch refuses a "bad port" before connecting, and would on every attempt: none is made again.
  if (isBadPort(error))
    throw networkError(state, error, true, 'Not retried: fetch refuses this port on every attempt.');
  const code = systemErrorCode(error);
  return { kind: 'network', notSent: code !== undefined && NOT_SENT.has(code) };
}

/** Decides; when retrying, reports, frees the response and sleeps. Returns false to stop. */
async function prepareRetry(
  outcome: AttemptOutcome,
  attempt: number,
  request: OutgoingRequest,
  state: CallState,
): Promise<boolean> {
  const now = Date.now();
  if (outcome.kind === 'response' && (outcome.response.status === 429 || outcome.response.status === 503)) {
    const wait = serverWait(outcome.response, now);
    if (wait !== undefined && wait > 0) state.cooldown.start(request.url.origin, wait, outcome.response, now);
  }
  const decision = decideRetry(outcome, attempt, request.method, request.headers, state.policy, now);
  if (!decision.retry) {
    state.note = capitalize(decision.why) + '.';
    state.retryAfterMs = decision.retryAfterMs;
    return false;
  }
  const left = state.total.remaining();
  if (decision.delayMs >= left) {
    state.note = `Not retried: the next attempt would start after the total deadline (${Math.round(decision.delayMs)} ms wait, ${Math.max(0, Math.round(left))} ms left).`;
    if (decision.serverAsked) state.retryAfterMs = decision.delayMs;
    return false;
  }
  const cause = outcome.kind === 'response' ? outcome.response.status : outcome.kind;
  state.onRetry({
    method: state.method,
    url: state.url,
    attempt,
    delayMs: decision.delayMs,
    cause,
    serverAsked: decision.serverAsked,
  });
  if (outcome.kind === 'response') await discard(outcome.response);
  await abortableWait(decision.delayMs, state);
  return true;
}

/** Waits out the origin's cooldown, then its spent quota, until pace() lets the request go. */
async function waitBeforeSending(origin: string, state: CallState): Promise<void> {
  await waitForCooldown(origin, state);
  for (let held = state.cooldown.pace(origin); held > 0; held = state.cooldown.pace(origin)) {
    // The server's own word that nothing remains: a request sent now would only collect a 429.
    const { maxRetryAfter } = state.policy;
    const wait = Math.min(held, maxRetryAfter);
    if (wait >= state.total.remaining()) {
      throw new TimeoutError({
        which: 'total',
        timeoutMs: state.total.ms ?? 0,
        method: state.method,
        url: state.url,
        attempts: state.attempts,
        note: `Not sent: ${origin} said no requests remain for ${Math.ceil(held / 1000)} s (RateLimit fields), beyond the total deadline.`,
      });
    }
    await abortableWait(wait, state);
    if (held > maxRetryAfter) state.cooldown.forgetQuota(origin);
  }
}

async function waitForCooldown(origin: string, state: CallState): Promise<void> {
  const cooldown = state.cooldown.get(origin);
  if (!cooldown) return;
  const wait = cooldown.until - Date.now();
  const { maxRetryAfter, onLongRetryAfter } = state.policy;
  const tooLong = wait > maxRetryAfter && onLongRetryAfter === 'throw';
  if (tooLong || wait >= state.total.remaining()) {
    // Fail fast rather than knock on a door the server asked us to leave alone.
    throw httpErrorFor({
      response: new Response(null, { status: cooldown.status, headers: cooldown.headers }),
      method: state.method,
      url: state.url,
      attempts: state.attempts,
      note: `Not sent: ${origin} asked this client to wait ${Math.ceil(wait / 1000)} s (origin cooldown after a ${cooldown.status}), ${tooLong ? 'more than retry.maxRetryAfter' : 'beyond the total deadline'}.`,
      retryAfterMs: wait,
    });
  }
  await abortableWait(Math.min(wait, onLongRetryAfter === 'clamp' ? maxRetryAfter : wait), state);
}

async function enterGate(origin: string, state: CallState): Promise<() => void> {
  try {
    return await state.concurrency.enter(origin, state.total.signal);
  } catch (error) {
    if (state.callerSignal?.aborted) throw state.callerSignal.reason;
    if (error instanceof BudgetExpired) throw totalTimeout(state);
    throw error;
  }
}

async function abortableWait(ms: number, state: CallState): Promise<void> {
  try {
    await sleep(ms, state.total.signal);
  } catch (error) {
    if (state.callerSignal?.aborted) throw state.callerSignal.reason;
    if (error instanceof BudgetExpired) {
      throw totalTimeout(state);
    }
    throw error;
  }
}

function totalTimeout(state: CallState): TimeoutError {
  return new TimeoutError({
    which: 'total',
    timeoutMs: state.total.ms ?? 0,
    method: state.method,
    url: state.url,
    attempts: state.attempts,
  });
}

function networkError(state: CallState, cause: unknown, notSent: boolean, note: string | undefined): NetworkError {
  return new NetworkError({ method: state.method, url: state.url, attempts: state.attempts, notSent, cause, note });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
