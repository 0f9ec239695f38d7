/** A redirect that only adds or removes the trailing slash (Django's APPEND_SLASH): call that URL directly. */
import { finding, followed, resend } from '../readings/followed-redirect.ts';
import type { Rule } from '../types.ts';

export const trailingSlashRedirect: Rule = {
  code: 'trailing_slash_redirect',
  summary:
    "The server redirects to the same URL with (or without) a trailing slash, as Django's APPEND_SLASH does: call that URL directly; an error when the 301 turned a POST into a GET.",
  rank: 6,
  check(context) {
    const f = followed(context);
    return f?.slash ? finding('trailing_slash_redirect', context, f) : undefined;
  },
  remedy(context) {
    const f = followed(context);
    return f?.slash ? resend(context, f) : undefined;
  },
};
