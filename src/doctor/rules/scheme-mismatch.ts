import { parseAuthorization } from '../../http/index.ts';
import type { Rule } from '../types.ts';
import { received, sent, statusLine, statusOf } from './evidence.ts';

/** Credentials in a scheme the challenge does not offer. */
export const schemeMismatch: Rule = {
  code: 'scheme_mismatch',
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
      fix: `Authenticate with one of: ${context.challenges.map((c) => c.scheme).join(', ')}.`,
    };
  },
};
