import { requestLine, statusLine, statusOf } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/** A 401 without WWW-Authenticate: the server breaks RFC 9110 §15.5.2 and leaves clients guessing. */
export const challengeMissing: Rule = {
  code: 'challenge_missing',
  summary:
    'A 401 without `WWW-Authenticate`, which RFC 9110 §15.5.2 requires: clients cannot tell which scheme to use.',
  rank: 50,
  check(context) {
    if (statusOf(context) !== 401 || context.challenges.length > 0) return undefined;
    return {
      code: 'challenge_missing',
      severity: 'warning',
      title: '401 without a WWW-Authenticate challenge',
      evidence: [requestLine(context.primary), statusLine(context.primary), '< (no WWW-Authenticate header)'],
      fix: "The server must say how to authenticate (RFC 9110 §15.5.2); read the API's documentation for the scheme, and report the missing challenge to its owners (Gatehouse's guard always sends one).",
    };
  },
};
