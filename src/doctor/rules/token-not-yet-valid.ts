import type { Rule } from '../types.ts';
import { timeFinding } from './token-times.ts';

/** The JWT's nbf is still ahead, judged by the server's Date. */
export const tokenNotYetValid: Rule = {
  code: 'token_not_yet_valid',
  summary: "The JWT's `nbf` is still ahead, judged by the server's `Date`.",
  rank: 1,
  check: (context) => timeFinding(context, 'nbf'),
};
