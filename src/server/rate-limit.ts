/**
 * rateLimit(): a budget of requests per client and window, on rate-limiter-flexible, its counters
 * in memory or in a store every instance shares (SQLite, Postgres, Redis), as login protection's.
 * Every answer carries the IETF RateLimit and RateLimit-Policy fields, so a client can pace itself
 * instead of learning the limit from 429s; past the budget, 429 problem+json `rate_limited` with
 * Retry-After. The adapters' rate-limit.ts put it in front of a handler.
 *
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */
import { createHash } from 'node:crypto';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { invalidArgument } from '../http/argument-error.ts';
import { rateLimitFields } from '../http/rate-limit-fields.ts';
import { clientAddressKey } from './client-address.ts';
import { type CounterBackend, checkBackend, limiter } from './counter-backend.ts';
import { problemResponse } from './server-failure.ts';

/** What the key function sees of a request. */
export interface RateLimitRequest {
  method: string;
  /** The path and query as received. */
  target: string;
  /** The client's address as the adapter knows it (a trusted proxy's view with Express and Fastify). */
  clientAddress: string | undefined;
  header(name: string): string | undefined;
}

export interface RateLimitOptions {
  /** Requests per window and key. */
  points: number;
  /** The window, in seconds. */
  durationSeconds: number;
  /** Where counters live; a shared store (Redis, Postgres) makes the budget one across instances. */
  backend: CounterBackend;
  /**
   * What a budget belongs to. Clients whose address is unknown share one budget.
   * @default the client's address (IPv6 by its /64)
   */
  key?: (request: RateLimitRequest) => string;
  /** The policy's name in the fields. @default 'default' */
  policy?: string;
  /** Keeps one limit's counters apart from another's. @default 'gatehouse_rate' */
  prefix?: string;
}

/** Spent: go on with these fields on the answer. Refused: send `response` (429) instead. */
export type RateLimitDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; response: Response };

export interface RateLimit {
  /** Spends one point of the request's budget. Rejects when the backend fails (answer it as a 5xx). */
  take(request: RateLimitRequest): Promise<RateLimitDecision>;
}

const UNKNOWN_CLIENT = 'unknown';

export function createRateLimit(options: RateLimitOptions): RateLimit {
  const { points, durationSeconds } = options ?? {};
  if (!Number.isInteger(points) || points < 1)
    throw invalidArgument('rateLimit: points must be a whole number of requests, at least 1');
  if (!Number.isInteger(durationSeconds) || durationSeconds < 1)
    throw invalidArgument('rateLimit: durationSeconds must be a whole number of seconds, at least 1');
  checkBackend(options.backend, 'rateLimit');
  const prefix = options.prefix ?? 'gatehouse_rate';
  if (!/^[A-Za-z0-9_]+$/.test(prefix)) throw invalidArgument('rateLimit: prefix must be letters, digits and _');
  const policy = options.policy ?? 'default';
  rateLimitFields({ policy, quota: 0, windowSeconds: 1, remaining: 0, resetSeconds: 0 }); // checks the name now
  const keyOf = options.key;
  // Created once, at the first request: the SQL limiters create their table asynchronously.
  let created: Promise<RateLimiterAbstract> | undefined;
  const ready = () => {
    if (!created) {
      created = limiter(options.backend, { keyPrefix: prefix, points, duration: durationSeconds });
      created.catch(() => {
        created = undefined; // a store down at start is tried again on the next request
      });
    }
    return created;
  };
  const fields = (remaining: number, msBeforeNext: number) =>
    rateLimitFields({
      policy,
      quota: points,
      windowSeconds: durationSeconds,
      remaining,
      resetSeconds: Math.ceil(msBeforeNext / 1000),
    });

  return {
    async take(request) {
      const raw = keyOf ? keyOf(request) : (clientAddressKey(request.clientAddress) ?? UNKNOWN_CLIENT);
      if (typeof raw !== 'string') throw invalidArgument('rateLimit: key() must return a string');
      // Hashed when chosen by the app: a key stays short and holds no byte a backend refuses.
      const key = keyOf ? createHash('sha256').update(raw).digest('base64url') : raw;
      const counter = await ready();
      let state: RateLimiterRes;
      try {
        state = await counter.consume(key);
      } catch (error) {
        // A rejection with RateLimiterRes means "over the limit"; any other is the backend failing.
        if (!(error instanceof RateLimiterRes)) throw error;
        const wait = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        const headers = { ...fields(0, error.msBeforeNext), 'retry-after': String(wait) };
        return {
          allowed: false,
          headers,
          // RFC 6585 §4: 429 Too Many Requests, with Retry-After saying how long to wait.
          response: problemResponse('rate_limited', `Too many requests; try again in ${wait} s.`, headers),
        };
      }
      return { allowed: true, headers: fields(state.remainingPoints, state.msBeforeNext) };
    },
  };
}
