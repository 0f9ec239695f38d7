import { redactUrl } from '../../http/index.ts';
import { authorizationLine, codeRedemption, errorLine, oauthHint, sentLine } from '../readings/code-redemption.ts';
import type { Rule } from '../types.ts';

/**
 * RFC 6749 §4.1.3: a token request carries the redirect_uri of its authorization request, identical
 * to it; OAuth 2.1 and RFC 9700 §4.1.3 compare redirect URIs exactly.
 */
export const redirectUriMismatch: Rule = {
  code: 'redirect_uri_mismatch',
  summary:
    'A refused code redemption that sent no `redirect_uri`, or one that differs from the `redirect_uri` of its authorization request in the same HAR file (RFC 6749 §4.1.3).',
  rank: 4,
  check(context) {
    const redemption = codeRedemption(context);
    if (!redemption) return undefined;
    const sent = redemption.form.get('redirect_uri');
    const asked = redemption.authorization?.url.searchParams.get('redirect_uri') ?? null;
    if (redemption.authorization ? asked === null || sent === asked : sent !== null) return undefined;
    const shown = (uri: string | null) => (uri === null ? '(none)' : JSON.stringify(redactUrl(uri)));
    return {
      code: 'redirect_uri_mismatch',
      severity: redemption.authorization ? 'error' : 'warning',
      title:
        sent === null
          ? 'The token request sent no redirect_uri'
          : 'The redirect_uri differs from the authorization request’s',
      evidence: [
        sentLine(context, redemption),
        `  token request redirect_uri = ${shown(sent)}`,
        ...authorizationLine(redemption),
        ...(redemption.authorization ? [`  authorization request redirect_uri = ${shown(asked)}`] : []),
        errorLine(redemption),
      ],
      fix:
        `${oauthHint(redemption.error)} Send in the token request the redirect_uri of the authorization request, character for character (RFC 6749 §4.1.3): ` +
        'the same scheme, host, port, path and trailing slash, as registered for the client.',
    };
  },
};
