import { header } from '../probes.ts';
import { contrast } from '../readings/comparison.ts';
import { answeredAsWithout, fixText } from '../readings/unread-credentials.ts';
import type { Rule } from '../types.ts';

/**
 * Well-formed credentials in a scheme the server offers, and an answer identical to the one without
 * them: they never reached the code that checks them. A proxy, a gateway or the web server's own
 * configuration dropped the Authorization header on the way.
 */
export const credentialsNotReceived: Rule = {
  code: 'credentials_not_received',
  summary:
    'Well-formed credentials in a scheme the server offers (its challenge names it) or through a proxy that names itself, answered exactly as the same request without them (same status, challenge and body): a proxy, gateway or server configuration drops `Authorization` on the way.',
  // Before every reading of the answer as "credentials missing" or "wrong": they never arrived.
  rank: 0,
  check(context) {
    const unread = answeredAsWithout(context);
    if (!unread?.stripped) return undefined;
    const proxy = header(context.primary.response?.headers, 'via');
    return {
      code: 'credentials_not_received',
      severity: 'error',
      title: `The credentials never reached the server: it answers exactly as without them${proxy ? ` (a proxy on the way: Via ${proxy})` : ''}`,
      evidence: [...contrast(context, unread.comparison), ...unread.layers.evidence],
      fix: fixText(context, unread.layers, unread.scheme),
    };
  },
};
