import { contrast } from '../readings/comparison.ts';
import { answeredAsWithout, fixText } from '../readings/unread-credentials.ts';
import type { Rule } from '../types.ts';

/**
 * The same answer with and without the credentials, but nothing says they were stripped: no
 * challenge offers the scheme and no proxy names itself. The route may not read this scheme at all
 * (DRF's session-first view given a Token), or something on the way drops it: both are said.
 */
export const credentialsIgnored: Rule = {
  code: 'credentials_ignored',
  summary:
    'Well-formed credentials answered exactly as the same request without them, with no challenge naming the scheme and no proxy naming itself: the route does not read this scheme, or something on the way drops it.',
  rank: 0,
  check(context) {
    const unread = answeredAsWithout(context);
    if (!unread || unread.stripped) return undefined;
    return {
      code: 'credentials_ignored',
      severity: 'error',
      title: `The server answers exactly as without credentials: it does not read the ${unread.scheme} scheme here, or they are dropped on the way`,
      evidence: [...contrast(context, unread.comparison), ...unread.layers.evidence],
      fix: `First check which credentials this route reads (its documentation; in DRF the view's authentication_classes, in FastAPI its security dependency): a server ignores a scheme it does not read, and answers as if nothing was sent. If it should read ${unread.scheme}: ${fixText(context, unread.layers, unread.scheme)}`,
    };
  },
};
