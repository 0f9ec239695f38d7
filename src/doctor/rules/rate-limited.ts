import { parseRateLimit, parseRetryAfter } from '../../http/index.ts';
import { received, serverError, statusLine, statusOf } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import type { Rule } from '../types.ts';

/** Too many requests: wait as the server asks, and no sooner. */
export const rateLimited: Rule = {
  code: 'rate_limited',
  summary: 'A 429 (or a 503 with `Retry-After`): wait as long as the server says before sending again.',
  rank: 9,
  check(context) {
    const status = statusOf(context);
    if (status !== 429 && status !== 503) return undefined;
    if (serverError(context) === 'locked_out') return undefined;
    const headers = new Headers(context.primary.response!.headers);
    const wait = parseRetryAfter(headers.get('retry-after'), { date: headers.get('date'), now: context.localDate });
    const limit = parseRateLimit(headers, { date: headers.get('date'), now: context.localDate });
    if (status === 503 && wait === undefined) return undefined;
    return {
      code: 'rate_limited',
      severity: 'error',
      title:
        wait !== undefined
          ? `Rate limited: the server asks to wait ${Math.ceil(wait / 1000)} s`
          : 'Rate limited, without a Retry-After',
      evidence: [
        statusLine(context.primary),
        ...received(context.primary, 'retry-after'),
        ...received(context.primary, 'ratelimit'),
        ...received(context.primary, 'x-ratelimit-remaining'),
        ...received(context.primary, 'date'),
      ],
      fix: `${hint('rate_limited')} ${wait !== undefined ? `Here that is ${Math.ceil(wait / 1000)} s (measured against the server's Date)` : 'This answer gives none: back off exponentially with jitter'}${limit?.limit !== undefined ? `; the policy allows ${limit.limit} per ${(limit.windowMs ?? 0) / 1000 || '?'} s` : ''}.`,
    };
  },
};
