import type { Rule } from '../types.ts';
import { received, requestLine, statusLine, statusOf } from './evidence.ts';

/** Nothing was sent, and the server wants credentials. */
export const credentialsMissing: Rule = {
  code: 'credentials_missing',
  rank: 10,
  check(context) {
    if (statusOf(context) !== 401 || context.authorization.length > 0) return undefined;
    if (context.primary.request.headers.some(([n]) => /^(cookie|x-api-key|api-key)$/i.test(n))) return undefined;
    const offered = context.challenges.map((c) => c.scheme).join(', ');
    return {
      code: 'credentials_missing',
      severity: 'error',
      title: 'The request carries no credentials',
      evidence: [
        requestLine(context.primary),
        '> (no Authorization header)',
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
      ],
      fix: offered
        ? `Send credentials in one of the schemes the server offers: ${offered} (for example --bearer TOKEN or --basic USER:PASS).`
        : 'Send credentials; the server did not say which scheme it wants (see challenge_missing).',
    };
  },
};
