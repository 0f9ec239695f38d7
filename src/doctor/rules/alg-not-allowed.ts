import { statusLine } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/** `alg: none`, or an algorithm the issuer's keys cannot verify (HS256 against an RSA/EC key set). */
export const algNotAllowed: Rule = {
  code: 'alg_not_allowed',
  summary:
    'The token is unsigned (`alg: none`), or its algorithm cannot be verified by any key the issuer publishes (HS256 against an RSA or EC key set).',
  rank: 4,
  check(context) {
    const alg = context.jwt?.header['alg'];
    if (typeof alg !== 'string') return undefined;
    if (alg.toLowerCase() === 'none') {
      return {
        code: 'alg_not_allowed',
        severity: 'error',
        title: 'The token is unsigned (alg: none)',
        evidence: ['  token header alg = "none"', statusLine(context.primary)],
        fix: 'Get a signed token from the issuer; no API should accept alg none.',
      };
    }
    const keys = context.jwks?.keys;
    if (!keys?.length) return undefined;
    const usable = keys.some((k) =>
      typeof k['alg'] === 'string'
        ? k['alg'] === alg
        : alg.startsWith('HS')
          ? k['kty'] === 'oct'
          : alg.startsWith('RS') || alg.startsWith('PS')
            ? k['kty'] === 'RSA'
            : alg.startsWith('ES')
              ? k['kty'] === 'EC'
              : k['kty'] === 'OKP',
    );
    if (usable) return undefined;
    const algs = [...new Set(keys.map((k) => String(k['alg'] ?? k['kty'])))].join(', ');
    return {
      code: 'alg_not_allowed',
      severity: 'error',
      title: `The token is signed with ${alg}, which the issuer's keys (${algs}) cannot verify`,
      evidence: [`  token header alg = ${JSON.stringify(alg)}`, `  JWKS keys: ${algs}`],
      fix: 'Use a token signed by the issuer the API trusts, with the algorithm its keys publish; an HS256 token against an RSA/EC key set is an algorithm-confusion attempt and must fail.',
    };
  },
};
