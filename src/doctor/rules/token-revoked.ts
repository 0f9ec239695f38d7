import { bodyLine } from '../readings/comparison.ts';
import { received, sent, statusLine, statusOf } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import { saysRevoked } from '../readings/refusal.ts';
import type { Rule } from '../types.ts';

/** The server says the token was revoked: no fix on the client's side brings it back. */
export const tokenRevoked: Rule = {
  code: 'token_revoked',
  summary:
    'The server says the token was revoked (problem code `token_revoked`; or, when it names no catalogue code, its `error_description` or detail says so).',
  rank: 5,
  check(context) {
    const status = statusOf(context);
    if ((status !== 401 && status !== 403) || context.authorization.length === 0 || !saysRevoked(context))
      return undefined;
    return {
      code: 'token_revoked',
      severity: 'error',
      title: 'The server says the token was revoked',
      evidence: [
        ...sent(context.primary, 'authorization'),
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
        ...bodyLine(context.primary),
      ],
      fix: hint('token_revoked'),
    };
  },
};
