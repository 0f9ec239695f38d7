import { parseRetryAfter } from '../../http/index.ts';
import { received, serverError, statusLine } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import type { Rule } from '../types.ts';

/** Sign-in is paused after too many failed attempts. */
export const lockedOut: Rule = {
  code: 'locked_out',
  summary: 'The server paused sign-in after too many failed attempts (`locked_out`).',
  rank: 2,
  check(context) {
    if (serverError(context) !== 'locked_out') return undefined;
    const headers = new Headers(context.primary.response?.headers);
    const wait = parseRetryAfter(headers.get('retry-after'), { date: headers.get('date'), now: context.localDate });
    return {
      code: 'locked_out',
      severity: 'error',
      title: 'Locked out after too many failed sign-ins',
      evidence: [statusLine(context.primary), ...received(context.primary, 'retry-after')],
      fix: `${hint('locked_out')}${wait !== undefined ? ` Here that is ${Math.ceil(wait / 1000)} s (measured against the server's Date).` : ''}`,
    };
  },
};
