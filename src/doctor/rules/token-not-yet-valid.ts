import { timeFinding } from '../readings/token-times.ts';
import type { Rule } from '../types.ts';

/** The JWT's nbf is still ahead, judged by the server's Date. */
export const tokenNotYetValid: Rule = {
  code: 'token_not_yet_valid',
  summary: "The JWT's `nbf` is still ahead, judged by the server's `Date`.",
  rank: 1,
  check: (context) => timeFinding(context, 'nbf'),
};
