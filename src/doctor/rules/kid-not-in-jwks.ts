import type { Rule } from '../types.ts';

/** The token names a key the issuer does not publish: a rotated-out key, or another issuer's. */
export const kidNotInJwks: Rule = {
  code: 'kid_not_in_jwks',
  summary:
    "The token's `kid` is not among the keys the issuer's JWKS publishes (a rotated-out key, or another issuer's).",
  rank: 4,
  check(context) {
    const kid = context.jwt?.header['kid'];
    const keys = context.jwks?.keys;
    if (typeof kid !== 'string' || !keys || keys.some((k) => k['kid'] === kid)) return undefined;
    return {
      code: 'kid_not_in_jwks',
      severity: 'error',
      title: `The token's key ${JSON.stringify(kid)} is not in the issuer's JWKS`,
      evidence: [
        `  token header kid = ${JSON.stringify(kid)}`,
        `  JWKS kids: ${keys.map((k) => JSON.stringify(k['kid'] ?? null)).join(', ') || '(none)'}`,
      ],
      fix: 'Get a new token: the key that signed this one was rotated out, or the token comes from another issuer (or another environment).',
    };
  },
};
