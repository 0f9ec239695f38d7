import { authorizationLine, codeRedemption, errorLine, oauthHint } from '../readings/code-redemption.ts';
import type { Rule } from '../types.ts';

/**
 * RFC 7636 §4.2–4.3: without `code_challenge_method` the method is `plain`, which OAuth 2.1 and
 * servers that follow the Security BCP (RFC 9700 §2.1.1) refuse; no `code_challenge` at all leaves
 * the code unbound to the client, and a server that requires PKCE refuses its redemption.
 */
export const pkceMethodNotS256: Rule = {
  code: 'pkce_method_not_s256',
  summary:
    'A refused code redemption whose authorization request, in the same HAR file, sent no `code_challenge`, or `code_challenge_method` `plain` or none (RFC 7636 §4.3: `plain` by default): S256 is needed.',
  rank: 2,
  check(context) {
    const redemption = codeRedemption(context);
    const asked = redemption?.authorization?.url.searchParams;
    if (!redemption || !asked) return undefined;
    const challenge = asked.get('code_challenge');
    const method = asked.get('code_challenge_method');
    if (challenge !== null && method === 'S256') return undefined;
    const shown =
      challenge === null
        ? '  the authorization request sent no code_challenge'
        : method === null
          ? '  the authorization request sent no code_challenge_method (plain by default, RFC 7636 §4.3)'
          : `  the authorization request sent code_challenge_method = ${JSON.stringify(method.slice(0, 20))}`;
    return {
      code: 'pkce_method_not_s256',
      severity: 'error',
      title: challenge === null ? 'The authorization request sent no PKCE challenge' : 'The PKCE method is not S256',
      evidence: [...authorizationLine(redemption), shown, errorLine(redemption)],
      fix:
        `${oauthHint(redemption.error)} In the authorization request send code_challenge = BASE64URL(SHA-256(code_verifier)) with code_challenge_method=S256 (RFC 7636 §4.2), ` +
        'and the same code_verifier in the token request: OAuth 2.1 and the Security BCP (RFC 9700 §2.1.1) leave plain out.',
    };
  },
};
