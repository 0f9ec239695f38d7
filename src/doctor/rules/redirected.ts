/** Answered only after a redirect that kept the credentials: call the final URL directly. */
import { finding, followed, resend } from '../readings/followed-redirect.ts';
import type { Rule } from '../types.ts';

export const redirected: Rule = {
  code: 'redirected',
  summary:
    'The request is answered only after a redirect (credentials kept): call the final URL directly; an error when a 301 or 302 turned a POST into a GET.',
  rank: 7,
  check(context) {
    const f = followed(context);
    return f && !f.slash ? finding('redirected', context, f) : undefined;
  },
  remedy(context) {
    const f = followed(context);
    return f && !f.slash ? resend(context, f) : undefined;
  },
};
