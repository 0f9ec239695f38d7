import { timeFinding } from '../readings/token-times.ts';
import type { Rule } from '../types.ts';

/** The JWT's exp has passed, judged by the server's Date. */
export const tokenExpired: Rule = {
  code: 'token_expired',
  summary: "The JWT's `exp` has passed, judged by the server's `Date`.",
  rank: 1,
  check: (context) => timeFinding(context, 'exp'),
};
