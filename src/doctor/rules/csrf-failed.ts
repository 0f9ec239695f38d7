import { cookiesOf, csrfRefusal } from '../readings/csrf.ts';
import { requestLine, sent, serverWords, statusLine, wordsLine } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/** Where each framework's CSRF cookie is echoed back: the header a remedy may fill from the cookie. */
const ECHO: Record<string, { header: string; decode: boolean; who: string }> = {
  csrftoken: { header: 'X-CSRFToken', decode: false, who: 'Django' },
  // Angular's HttpClient and Laravel send the cookie's value URL-decoded.
  'XSRF-TOKEN': { header: 'X-XSRF-TOKEN', decode: true, who: 'Angular and Laravel' },
};

/** A 403 from a CSRF check on a cookie session: the request lacks (or has a wrong) CSRF token. */
export const csrfFailed: Rule = {
  code: 'csrf_failed',
  summary:
    'A 403 from a CSRF check: an unsafe method on a cookie session without its CSRF header, or the server\'s words name CSRF (DRF\'s "CSRF Failed: CSRF token missing.").',
  rank: 6,
  check(context) {
    const refusal = csrfRefusal(context.primary);
    if (!refusal) return undefined;
    const method = context.primary.request.method.toUpperCase();
    const { cookie, header, said } = refusal;
    // Own names only: a cookie named `constructor` or `toString` is no framework's CSRF cookie.
    const echo = cookie && Object.hasOwn(ECHO, cookie) ? ECHO[cookie] : undefined;
    const title =
      cookie && !header
        ? `${said ? "The server's CSRF check refused this" : 'This'} ${method}: the ${cookie} cookie was sent without its CSRF header`
        : `The server's CSRF check refused this ${method}`;
    let how: string;
    if (echo) {
      how = `${echo.who} checks a CSRF token on every unsafe method (POST, PUT, PATCH, DELETE) of a cookie session: send the ${cookie} cookie's value${echo.decode ? ', URL-decoded,' : ''} in an ${echo.header} header`;
      if (echo.who === 'Django' && context.url.protocol === 'https:')
        how += ', with a Referer or Origin of this site (over HTTPS Django also checks where the request comes from)';
      how += '.';
    } else if (/cookie not set/i.test(serverWords(context.primary) ?? '')) {
      how =
        'The server has not given this client its CSRF cookie: fetch a page or endpoint that sets it (Django: any view using get_token or csrf_protect), then send its value back in the CSRF header.';
    } else {
      how = `Send the session's CSRF token${cookie ? ` that goes with the ${cookie} cookie` : ''} in the header the framework reads: X-CSRFToken (Django), X-XSRF-TOKEN (Angular, Laravel), X-CSRF-Token (Rails, Express).`;
    }
    return {
      code: 'csrf_failed',
      severity: 'error',
      title,
      evidence: [
        requestLine(context.primary),
        ...sent(context.primary, 'cookie'),
        ...(header ? sent(context.primary, header) : ['> (no CSRF header)']),
        statusLine(context.primary),
        ...wordsLine(context.primary),
      ],
      fix: `${how} An API client need not carry CSRF at all: CSRF checks apply to cookie sessions, so authenticate with a token in the Authorization header instead (DRF: TokenAuthentication).`,
    };
  },
  /**
   * Echoes the CSRF cookie the user sent into its header: a value they gave, sent back to the same
   * origin it came from, as the framework's own front-end would.
   */
  remedy(context) {
    const request = context.request;
    if (!request) return undefined;
    const found = cookiesOf(request.headers).find(([name, value]) => Object.hasOwn(ECHO, name) && value);
    if (!found) return undefined;
    const [cookie, raw] = found;
    const echo = ECHO[cookie]!;
    let value = raw;
    if (echo.decode) {
      try {
        value = decodeURIComponent(raw);
      } catch {
        return undefined;
      }
    }
    const name = echo.header.toLowerCase();
    if (request.headers.some(([n, v]) => n.toLowerCase() === name && v === value)) return undefined;
    const headers = request.headers.filter(([n]) => n.toLowerCase() !== name);
    headers.push([echo.header, value]);
    // Django's HTTPS check wants a Referer (or Origin) of this site; nothing of the user's is added.
    const referer =
      echo.who === 'Django' &&
      request.url.protocol === 'https:' &&
      !headers.some(([n]) => /^(referer|origin)$/i.test(n));
    if (referer) headers.push(['Referer', `${request.url.origin}/`]);
    return {
      change: `sent the ${cookie} cookie's value${echo.decode ? ', URL-decoded,' : ''} as ${echo.header}${referer ? ', with a Referer of this origin' : ''}`,
      request: { ...request, headers },
    };
  },
};
