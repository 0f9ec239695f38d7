import { iso, secondsClaim } from '../jwt.ts';
import { contrast } from '../readings/comparison.ts';
import { hint } from '../readings/fixes.ts';
import { refusal } from '../readings/refusal.ts';
import type { Context, Rule } from '../types.ts';

/**
 * A JWT in date, in the scheme the server asks for, read and refused: the answer differs from the
 * one without credentials. Its signature or key is the usual cause.
 */
export const tokenRejected: Rule = {
  code: 'token_rejected',
  summary:
    'A JWT in date and in the right scheme that the server read and refused (its answer differs from the one without credentials), naming no other cause (a catalogue code of its own, a step-up, a DPoP error): most likely signed with another key.',
  rank: 14,
  check(context) {
    const found = refusal(context);
    if (found?.refused.kind !== 'jwt') return undefined;
    const verified = context.verification?.result.outcome === 'valid';
    return {
      code: 'token_rejected',
      severity: 'error',
      title: verified
        ? 'The server refuses a token whose signature verifies with the key given'
        : 'The server read the token and refused it: most likely its signature or key does not match',
      evidence: [...tokenLines(context), ...contrast(context, found.comparison)],
      fix: verified
        ? `The signature is right, so the server refuses the token for something else it checks: its audience, its issuer, a revoked session, or a subject (sub) it does not know. ${hint('credentials_invalid')}`
        : `The token is in date and sent in the scheme the server asks for, yet refused: most likely it was signed with another key than the one the server verifies with (a token from another environment or issuer, or a secret that changed), or names a subject the server does not know. Check it with the API's key (gatehouse doctor … --key KEY, or --jwks URL, --issuer URL), and get a new token from the issuer the API trusts.`,
    };
  },
};

function tokenLines(context: Context): string[] {
  const jwt = context.jwt!;
  const claims = ['alg', 'kid'].flatMap((name) =>
    jwt.header[name] !== undefined ? [`${name} = ${JSON.stringify(jwt.header[name])}`] : [],
  );
  if (typeof jwt.payload['iss'] === 'string') claims.push(`iss = ${JSON.stringify(jwt.payload['iss'])}`);
  const exp = secondsClaim(jwt, 'exp');
  claims.push(exp !== undefined ? `exp = ${iso(exp * 1000)} (in date)` : 'no exp');
  const lines = [`  token ${claims.join(', ')}`];
  const verification = context.verification;
  if (verification?.result.outcome === 'valid')
    lines.push(`  checked here: the signature verifies (${verification.result.alg}, ${verification.result.from})`);
  else if (verification?.result.outcome === 'undecided')
    lines.push(`  signature not checked: ${verification.result.code}: ${verification.result.message}`);
  else if (!verification) lines.push('  signature not checked here (no key given: --key, --jwks or --issuer)');
  const kid = jwt.header['kid'];
  const keys = context.jwks?.keys;
  if (typeof kid === 'string' && keys && !keys.some((k) => k['kid'] === kid))
    lines.push(`  the issuer's JWKS has no key ${JSON.stringify(kid)} (kid_not_in_jwks)`);
  return lines;
}
