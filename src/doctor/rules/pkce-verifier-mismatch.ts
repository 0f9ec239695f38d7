import { createHash } from 'node:crypto';
import { authorizationLine, codeRedemption, errorLine, oauthHint } from '../readings/code-redemption.ts';
import type { Rule } from '../types.ts';

const WELL_FORMED = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * RFC 7636 §4.6: the server checks BASE64URL(SHA-256(code_verifier)) against the code_challenge
 * of the authorization request. A HAR file with both requests lets the doctor do the same.
 */
export const pkceVerifierMismatch: Rule = {
  code: 'pkce_verifier_mismatch',
  summary:
    'A refused code redemption whose `code_verifier` does not hash (S256) to the `code_challenge` of its authorization request in the same HAR file (RFC 7636 §4.6).',
  rank: 4,
  check(context) {
    const redemption = codeRedemption(context);
    const asked = redemption?.authorization?.url.searchParams;
    const verifier = redemption?.form.get('code_verifier');
    if (!redemption || !asked || verifier == null || !WELL_FORMED.test(verifier)) return undefined;
    const challenge = asked.get('code_challenge');
    if (challenge === null || asked.get('code_challenge_method') !== 'S256') return undefined;
    if (createHash('sha256').update(verifier).digest('base64url') === challenge) return undefined;
    return {
      code: 'pkce_verifier_mismatch',
      severity: 'error',
      title: 'The code_verifier does not match the code_challenge',
      evidence: [
        ...authorizationLine(redemption),
        '  BASE64URL(SHA-256(code_verifier)) of the token request is not the code_challenge of the authorization request',
        errorLine(redemption),
      ],
      fix:
        `${oauthHint(redemption.error)} Send the code_verifier of the authorization request that produced this code (RFC 7636 §4.5), ` +
        'not one made for another attempt, tab or login: keep it with the state, and hash that same string for code_challenge (SHA-256, then base64url without padding).',
    };
  },
};
