import { compareWithout, contrast } from '../readings/comparison.ts';
import { signatureDisproved } from '../readings/refusal.ts';
import type { Context, Finding, Rule } from '../types.ts';

/**
 * The JWT's signature, checked here, fails: with the key the user gave (`--key`, `--jwks`,
 * `--issuer`), or with every key its issuer publishes. The check itself is the proof, so there
 * is nothing to re-send.
 */
export const tokenSignatureInvalid: Rule = {
  code: 'token_signature_invalid',
  summary:
    "The JWT's signature does not verify here: with the key given to the doctor (`--key`, `--jwks`, `--issuer`: wrong key, algorithm mismatch, `kid` not found), or with any key its issuer publishes.",
  rank: 3,
  check(context) {
    const verification = context.verification;
    if (verification?.result.outcome !== 'invalid' || !signatureDisproved(context)) return undefined;
    const { code, message } = verification.result;
    const given = verification.by === 'given';
    const status = context.primary.response?.status;
    const comparison = compareWithout(context);
    const header = context.jwt?.header ?? {};
    const finding: Finding = {
      code: 'token_signature_invalid',
      // A server that took the token anyway checks it with another key than the one given.
      severity: status !== undefined && status >= 400 ? 'error' : 'warning',
      title: TITLES[code](given),
      evidence: [
        `  token header alg = ${JSON.stringify(header['alg'] ?? null)}${header['kid'] !== undefined ? `, kid = ${JSON.stringify(header['kid'])}` : ''}`,
        `  checked here with ${given ? 'the key given' : "the issuer's published keys"}: ${code}: ${message}`,
        ...(comparison && comparison.differs.length > 0 ? contrast(context, comparison) : []),
      ],
      fix: fixFor(context, code, given),
    };
    return finding;
  },
};

type InvalidCode = 'signature_invalid' | 'alg_mismatch' | 'kid_not_found' | 'key_unusable';

const TITLES: Record<InvalidCode, (given: boolean) => string> = {
  signature_invalid: (given) =>
    given
      ? "The token's signature does not verify with the key given"
      : "No key the token's issuer publishes verifies its signature",
  alg_mismatch: () => "The token's algorithm does not fit the key given",
  kid_not_found: () => "The token's kid is not among the keys given",
  key_unusable: () => 'The key given cannot verify this token',
};

function fixFor(context: Context, code: InvalidCode, given: boolean): string {
  const accepted = (context.primary.response?.status ?? 0) < 400 && context.primary.response !== undefined;
  if (accepted)
    return 'The server accepted the token, so the key given is not the one it verifies with: check the key (or the JWKS) you compare against.';
  switch (code) {
    case 'signature_invalid':
      return given
        ? "The token was signed with another key than the one given. If that key is the API's, the token comes from elsewhere (another environment or issuer, or a secret that has changed since): get a token issued with the API's key."
        : 'The token was not signed by the issuer it names (another environment, or an altered token): get a new token from the issuer the API trusts.';
    case 'alg_mismatch':
      return "Get a token signed with the algorithm the API's key serves; a server must never verify a token with a key of another kind (RFC 8725 §3.1).";
    case 'kid_not_found':
      return "Get a new token: the key that signed it is not among the keys given (a rotated-out key, or another issuer's).";
    case 'key_unusable':
      return "Check the key given: it is not a key this token's algorithm can be verified with.";
  }
}
