import { authorizationLine, codeRedemption, errorLine, oauthHint, sentLine } from '../readings/code-redemption.ts';
import type { Rule } from '../types.ts';

/** RFC 7636 §4.5: a code issued for a code_challenge is redeemed with its code_verifier. */
export const pkceVerifierMissing: Rule = {
  code: 'pkce_verifier_missing',
  summary:
    'A token request redeeming an authorization code, refused with `invalid_grant` or `invalid_request`, sent no `code_verifier` (RFC 7636 §4.5).',
  rank: 3,
  check(context) {
    const redemption = codeRedemption(context);
    if (!redemption || redemption.form.has('code_verifier')) return undefined;
    // An authorization request without a challenge: pkce_method_not_s256 names that cause.
    if (redemption.authorization && !redemption.authorization.url.searchParams.has('code_challenge')) return undefined;
    return {
      code: 'pkce_verifier_missing',
      severity: 'error',
      title: 'The token request sent no code_verifier',
      evidence: [sentLine(context, redemption), ...authorizationLine(redemption), errorLine(redemption)],
      fix:
        'Send code_verifier in the token request: the random string whose S256 hash went as code_challenge in the authorization request (RFC 7636 §4.5), ' +
        `kept with the state between the two requests. ${oauthHint(redemption.error)}`,
    };
  },
};
