import { parseAuthorization } from '../../http/index.ts';
import type { Rule } from '../types.ts';
import { received, sent, statusLine, statusOf } from './evidence.ts';
import { offeredSchemes, withAuthorization } from './fixes.ts';

/** Credentials in a scheme the challenge does not offer. */
export const schemeMismatch: Rule = {
  code: 'scheme_mismatch',
  summary: "Credentials in a scheme the server's challenge does not offer.",
  rank: 20,
  check(context) {
    if (statusOf(context) !== 401 || context.challenges.length === 0 || context.authorization.length !== 1)
      return undefined;
    const parsed = parseAuthorization(context.authorization[0]);
    if (!parsed.ok) return undefined;
    const scheme = (parsed.credentials.scheme ?? '').toLowerCase();
    const offered = context.challenges.map((c) => c.scheme.toLowerCase());
    if (offered.includes(scheme)) return undefined;
    return {
      code: 'scheme_mismatch',
      severity: 'error',
      title: `The server does not offer the ${parsed.credentials.scheme} scheme`,
      evidence: [
        ...sent(context.primary, 'authorization'),
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
      ],
      fix: `Authenticate in a scheme the server offers: ${offeredSchemes(context.challenges)}.`,
    };
  },
  // A token sent under another token scheme (Bearer where the server wants Token, or the reverse) is
  // sent again under the one scheme offered. A password pair is never turned into a token, nor the reverse.
  remedy(context) {
    if (!context.request || context.authorization.length !== 1) return undefined;
    const value = context.authorization[0]!;
    const match = /^(\S+) +(\S+)$/.exec(value);
    if (!match || /^(basic|digest)$/i.test(match[1]!)) return undefined;
    const tokenSchemes = context.challenges.filter((c) => !/^(basic|digest|negotiate|ntlm)$/i.test(c.scheme));
    const schemes = [...new Set(tokenSchemes.map((c) => c.scheme))];
    if (schemes.length !== 1) return undefined;
    return {
      change: `sent the same credential in the ${schemes[0]} scheme`,
      request: withAuthorization(context.request, [`${schemes[0]} ${match[2]}`]),
    };
  },
};
