import { redactUrl } from '../../http/index.ts';
import {
  authorizationLine,
  codeRedemption,
  errorLine,
  oauthHint,
  saidLine,
  sentLine,
  serverSays,
} from '../readings/code-redemption.ts';
import type { Rule } from '../types.ts';

/**
 * RFC 6749 §4.1.3: a token request carries the redirect_uri of its authorization request, identical
 * to it; OAuth 2.1 and RFC 9700 §4.1.3 compare redirect URIs exactly. Without the authorization
 * request (no HAR file), the server's own `invalid_grant` description is the evidence.
 */
export const redirectUriMismatch: Rule = {
  code: 'redirect_uri_mismatch',
  summary:
    'A refused code redemption that sent no `redirect_uri`, or one that differs from the `redirect_uri` of its authorization request in the same HAR file (RFC 6749 §4.1.3); without that request, one the server refused with `invalid_grant` and a description saying so.',
  rank: 4,
  check(context) {
    const redemption = codeRedemption(context);
    if (!redemption) return undefined;
    const sent = redemption.form.get('redirect_uri');
    const asked = redemption.authorization?.url.searchParams.get('redirect_uri') ?? null;
    const compared = redemption.authorization !== undefined && asked !== null;
    // The server's word counts only where the HAR file cannot settle it (none sent: a warning, as before).
    const said = !compared && sent !== null && serverSays(redemption, 'redirect_uri');
    // An authorization request that named no redirect_uri needs none back (RFC 6749 §4.1.3).
    if (compared ? sent === asked : !said && (redemption.authorization !== undefined || sent !== null))
      return undefined;
    const shown = (uri: string | null) => (uri === null ? '(none)' : JSON.stringify(redactUrl(uri)));
    return {
      code: 'redirect_uri_mismatch',
      severity: compared || said ? 'error' : 'warning',
      title: said
        ? 'The server says the redirect_uri differs from the authorization request’s'
        : sent === null
          ? 'The token request sent no redirect_uri'
          : 'The redirect_uri differs from the authorization request’s',
      evidence: [
        sentLine(context, redemption),
        `  token request redirect_uri = ${shown(sent)}`,
        ...authorizationLine(redemption),
        ...(compared ? [`  authorization request redirect_uri = ${shown(asked)}`] : []),
        errorLine(redemption),
        ...(said ? saidLine(redemption) : []),
      ],
      fix:
        'Send in the token request the redirect_uri of the authorization request, character for character (RFC 6749 §4.1.3): ' +
        `the same scheme, host, port, path and trailing slash, as registered for the client. ${oauthHint(redemption.error)}`,
    };
  },
};
