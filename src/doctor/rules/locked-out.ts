import type { Rule } from '../types.ts';
import { received, serverError, statusLine } from './evidence.ts';

/** Sign-in is paused after too many failed attempts. */
export const lockedOut: Rule = {
  code: 'locked_out',
  summary: 'The server paused sign-in after too many failed attempts (`locked_out`).',
  rank: 2,
  check(context) {
    if (serverError(context) !== 'locked_out') return undefined;
    return {
      code: 'locked_out',
      severity: 'error',
      title: 'Locked out after too many failed sign-ins',
      evidence: [statusLine(context.primary), ...received(context.primary, 'retry-after')],
      fix: 'Stop retrying: every attempt during the lockout fails, the right password too. Wait for Retry-After, then sign in once with the right credentials; check scripts that loop on a wrong password.',
    };
  },
};
