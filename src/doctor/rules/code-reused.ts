import { codeRedemption, errorLine, oauthHint, sentLine } from '../readings/code-redemption.ts';
import type { Rule } from '../types.ts';

/**
 * RFC 6749 §4.1.2: an authorization code is used once; a second redemption is refused, and the
 * server SHOULD revoke what the first one issued. Seen in a HAR file holding both token requests.
 */
export const codeReused: Rule = {
  code: 'code_reused',
  summary:
    'A token request refused with `invalid_grant` redeems an authorization code an earlier token request in the same HAR file already redeemed (RFC 6749 §4.1.2: a code is good once).',
  rank: 1,
  check(context) {
    const redemption = codeRedemption(context);
    const code = redemption?.form.get('code');
    if (!redemption || !code) return undefined;
    const first = context.oauthFlow?.redemptions.find((r) => r.form.get('code') === code);
    if (!first) return undefined;
    return {
      code: 'code_reused',
      severity: 'error',
      title: 'The authorization code was redeemed twice',
      evidence: [
        `  log.entries[${first.index}] redeemed the same code first (answered ${first.status})`,
        sentLine(context, redemption),
        errorLine(redemption),
      ],
      fix:
        `${oauthHint('invalid_grant')} A code is good once (RFC 6749 §4.1.2): the second redemption is refused, and the server may revoke the tokens the first one issued. ` +
        'Keep the tokens of the first answer; do not send the token request again with the same code (a retry after a timeout, a callback handler that runs twice); for a new token, use the refresh token or start the authorization again.',
    };
  },
};
