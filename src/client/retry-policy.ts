/**
 * When to retry and how long to wait: pure functions of the attempt, the outcome and the clock.
 * The loop that waits lives in retry.ts.
 */
import { parseRateLimit, parseRetryAfter } from '../http/index.ts';

export interface RetryOptions {
  /** Retries after the first attempt. @default 2 */
  limit?: number;
  /** Methods retried without an Idempotency-Key (RFC 9110 §9.2.2 idempotent methods). @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'] */
  methods?: readonly string[];
  /** Statuses retried. @default [408, 429, 500, 502, 503, 504] */
  statusCodes?: readonly number[];
  /** The ceiling of the first backoff, in ms; each retry doubles it (full jitter picks below it). @default 300 */
  baseDelay?: number;
  /** The largest backoff ceiling, in ms. @default 10_000 */
  maxDelay?: number;
  /** The longest Retry-After the client waits, in ms. @default 60_000 */
  maxRetryAfter?: number;
  /** When Retry-After asks for longer than maxRetryAfter: throw at once, wait anyway, or wait maxRetryAfter. @default 'throw' */
  onLongRetryAfter?: 'throw' | 'wait' | 'clamp';
  /** Add an `Idempotency-Key` to POST and PATCH requests, making them safe to retry. @default false */
  idempotencyKey?: boolean;
  /** The random source of the jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  limit: 2,
  methods: Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
  statusCodes: Object.freeze([408, 429, 500, 502, 503, 504]),
  baseDelay: 300, // ms
  maxDelay: 10_000, // ms
  maxRetryAfter: 60_000, // ms
  onLongRetryAfter: 'throw',
  idempotencyKey: false,
  random: Math.random,
});

/** Exponential backoff with full jitter: uniform in [0, min(maxDelay, baseDelay × 2^(retry−1))). */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelay' | 'maxDelay' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelay, policy.baseDelay * 2 ** Math.max(0, retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Whether a request may be sent again after it may have reached the server: idempotent
 * methods, and others that carry an Idempotency-Key.
 */
export function isRetrySafe(method: string, headers: Headers, policy: Pick<RetryPolicy, 'methods'>): boolean {
  return policy.methods.includes(method) || headers.has('idempotency-key');
}

/**
 * How long the server asked to wait: Retry-After in either form measured against the response's
 * Date, else the reset of an exhausted rate-limit policy.
 */
export function serverWait(response: Response, now: number = Date.now()): number | undefined {
  const date = response.headers.get('date');
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), { now, date });
  if (retryAfter !== undefined) return retryAfter;
  const limit = parseRateLimit(response.headers, { now, date });
  if (limit?.remaining === 0 && limit.resetMs !== undefined) return limit.resetMs;
  return undefined;
}

/** How one attempt ended: a response, a network failure (sent or not), or its own timeout. */
export type AttemptOutcome =
  | { kind: 'response'; response: Response }
  | { kind: 'network'; notSent: boolean }
  | { kind: 'timeout' };

/** What the retry policy decides after an attempt: retry after a delay, or stop and say why. */
export type RetryDecision =
  | { retry: true; delayMs: number; serverAsked: boolean }
  | { retry: false; why: string; retryAfterMs?: number };

/**
 * Whether to retry after the `attempt`-th attempt (1-based) and how long to wait first.
 */
export function decideRetry(
  outcome: AttemptOutcome,
  attempt: number,
  method: string,
  headers: Headers,
  policy: RetryPolicy,
  now = Date.now(),
): RetryDecision {
  if (outcome.kind === 'response' && !policy.statusCodes.includes(outcome.response.status)) {
    return { retry: false, why: 'status not retried' };
  }
  const safe = isRetrySafe(method, headers, policy);
  // A request refused before anything was sent can always go again (RFC 9110 §9.2.2 reasoning).
  const notSent = outcome.kind === 'network' && outcome.notSent;
  if (!safe && !notSent) {
    return {
      retry: false,
      why: `not retried: ${method} is not idempotent (RFC 9110 §9.2.2); send an Idempotency-Key header or set retry.idempotencyKey to make it safe to retry`,
    };
  }
  if (attempt > policy.limit) {
    return {
      retry: false,
      why: `gave up after ${policy.limit} ${policy.limit === 1 ? 'retry' : 'retries'} (retry.limit)`,
    };
  }
  if (outcome.kind === 'response') {
    const wait = serverWait(outcome.response, now);
    if (wait !== undefined) {
      if (wait <= policy.maxRetryAfter || policy.onLongRetryAfter === 'wait')
        return { retry: true, delayMs: wait, serverAsked: true };
      if (policy.onLongRetryAfter === 'clamp') return { retry: true, delayMs: policy.maxRetryAfter, serverAsked: true };
      return {
        retry: false,
        why: `the server asked to wait ${Math.ceil(wait / 1000)} s, more than retry.maxRetryAfter (${policy.maxRetryAfter} ms)`,
        retryAfterMs: wait,
      };
    }
  }
  return { retry: true, delayMs: backoffDelay(attempt, policy), serverAsked: false };
}
