import { credentialNames } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import { hopLines, redirectHops, signInPage } from '../readings/redirect-hops.ts';
import type { Rule } from '../types.ts';

/**
 * A redirect to a sign-in page: the answer to "who are you" meant for a browser. That the page
 * answers 200 says nothing about the request, which was never answered (Django's login_required,
 * Spring Security's form login, an SSO gateway in front of the API).
 */
export const signInRedirect: Rule = {
  code: 'sign_in_redirect',
  summary:
    'The request is redirected to a sign-in page (a login form, an SSO or OAuth authorize URL) instead of being answered: the server did not take the request as signed in.',
  rank: 4,
  check(context) {
    const hops = redirectHops(context);
    const start = new URL(context.primary.request.url);
    const at = hops.findIndex((hop, i) => i > 0 && signInPage(new URL(hop.request.url), start));
    if (at < 0) return undefined;
    const page = new URL(hops[at]!.request.url);
    const given = credentialNames(context.primary);
    const shown = page.origin === start.origin ? page.pathname : `${page.origin}${page.pathname}`;
    return {
      code: 'sign_in_redirect',
      severity: 'error',
      title: `The server sends the request to a sign-in page (${shown}) instead of answering it`,
      evidence: hopLines(hops.slice(0, at + 1)),
      fix: [
        given.length
          ? `The server did not take ${given.join(', ')} as signed in, and sent the request where a browser would sign in.`
          : 'No credentials were sent, so the server sent the request where a browser would sign in.',
        hint('credentials_missing'),
        'A sign-in redirect is for browsers: an API client sends what the endpoint takes (the session cookie a sign-in sets, or a token the API accepts) and is answered directly.',
      ].join(' '),
    };
  },
};
