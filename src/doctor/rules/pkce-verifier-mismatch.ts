import { createHash } from 'node:crypto';
import {
  authorizationLine,
  type CodeRedemption,
  codeRedemption,
  errorLine,
  oauthHint,
  saidLine,
  sentLine,
  serverSays,
} from '../readings/code-redemption.ts';
import type { Finding, Rule } from '../types.ts';

const WELL_FORMED = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * RFC 7636 §4.6: the server checks BASE64URL(SHA-256(code_verifier)) against the code_challenge
 * of the authorization request. A HAR file with both requests lets the doctor do the same; without
 * it, the server's own `invalid_grant` description is the evidence, quoted as the server's word.
 */
export const pkceVerifierMismatch: Rule = {
  code: 'pkce_verifier_mismatch',
  summary:
    'A refused code redemption whose `code_verifier` does not hash (S256) to the `code_challenge` of its authorization request in the same HAR file (RFC 7636 §4.6); without that request, one the server refused with `invalid_grant` and a description saying so.',
  rank: 4,
  check(context) {
    const redemption = codeRedemption(context);
    const verifier = redemption?.form.get('code_verifier');
    if (!redemption || verifier == null || !WELL_FORMED.test(verifier)) return undefined;
    const asked = redemption.authorization?.url.searchParams;
    const challenge = asked?.get('code_challenge');
    if (asked && challenge != null && asked.get('code_challenge_method') === 'S256') {
      if (createHash('sha256').update(verifier).digest('base64url') === challenge) return undefined;
      return finding('The code_verifier does not match the code_challenge', redemption, [
        ...authorizationLine(redemption),
        '  BASE64URL(SHA-256(code_verifier)) of the token request is not the code_challenge of the authorization request',
        errorLine(redemption),
      ]);
    }
    if (!serverSays(redemption, 'code_verifier')) return undefined;
    return finding('The server says the code_verifier does not match the code_challenge', redemption, [
      sentLine(context, redemption),
      errorLine(redemption),
      ...saidLine(redemption),
    ]);
  },
};

function finding(title: string, redemption: CodeRedemption, evidence: string[]): Finding {
  return {
    code: 'pkce_verifier_mismatch',
    severity: 'error',
    title,
    evidence,
    fix:
      'Send the code_verifier of the authorization request that produced this code (RFC 7636 §4.5), ' +
      'not one made for another attempt, tab or login: keep it with the state, and hash that same string for code_challenge (SHA-256, then base64url without padding). ' +
      oauthHint(redemption.error),
  };
}
