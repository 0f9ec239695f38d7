import { parseAuthorization } from '../../http/index.ts';
import { received, statusLine, statusOf } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/** Non-ASCII Basic credentials to a server that did not say it reads UTF-8. */
export const basicNonAscii: Rule = {
  code: 'basic_non_ascii',
  summary:
    'Non-ASCII Basic credentials sent to a server whose challenge does not say `charset="UTF-8"` (RFC 7617 §2.1).',
  rank: 8,
  check(context) {
    if (statusOf(context) !== 401 || context.authorization.length !== 1) return undefined;
    const parsed = parseAuthorization(context.authorization[0]);
    if (!parsed.ok || parsed.credentials.kind !== 'basic') return undefined;
    const { username, password } = parsed.credentials;
    if (/^[\x20-\x7e]*$/.test(username + password)) return undefined;
    const basic = context.challenges.find((c) => c.scheme.toLowerCase() === 'basic');
    if (basic?.params['charset']?.toLowerCase() === 'utf-8') return undefined;
    return {
      code: 'basic_non_ascii',
      severity: 'warning',
      title: 'Non-ASCII Basic credentials, and the server does not say it reads UTF-8',
      evidence: [
        '  the username or password has characters outside ASCII',
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
      ],
      fix: 'The server may decode the pair as ISO-8859-1 (RFC 7617 §2.1: only charset="UTF-8" promises UTF-8). Use an ASCII password, or have the server send charset="UTF-8".',
    };
  },
};
