import { codeRedemption, errorLine, oauthHint, sentLine } from '../readings/code-redemption.ts';
import type { Rule } from '../types.ts';

/** RFC 7636 §4.1: code_verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const UNRESERVED = /[A-Za-z0-9._~-]/;

export const pkceVerifierMalformed: Rule = {
  code: 'pkce_verifier_malformed',
  summary:
    'A refused code redemption whose `code_verifier` is not 43 to 128 unreserved characters (A-Z a-z 0-9 - . _ ~, RFC 7636 §4.1).',
  rank: 3,
  check(context) {
    const redemption = codeRedemption(context);
    const verifier = redemption?.form.get('code_verifier');
    if (!redemption || verifier == null) return undefined;
    const outside = [...verifier].filter((c) => !UNRESERVED.test(c));
    const length = [...verifier].length;
    if (outside.length === 0 && length >= 43 && length <= 128) return undefined;
    // Facts about the verifier, never the verifier: its length, and how many characters are outside the set.
    const base64 = outside.length > 0 && outside.every((c) => c === '+' || c === '/' || c === '=');
    return {
      code: 'pkce_verifier_malformed',
      severity: 'error',
      title: 'The code_verifier is not 43 to 128 unreserved characters',
      evidence: [
        sentLine(context, redemption),
        `  code_verifier: ${length} characters (RFC 7636 §4.1: 43 to 128)`,
        ...(outside.length
          ? [
              `  code_verifier: ${outside.length} characters outside A-Z a-z 0-9 - . _ ~${base64 ? " (only '+', '/' or '=': base64, not base64url)" : ''}`,
            ]
          : []),
        errorLine(redemption),
      ],
      fix:
        `${oauthHint(redemption.error)} Make the code_verifier 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1): ` +
        '32 random bytes in base64url without padding give 43; compute code_challenge from that same string.',
    };
  },
};
