/**
 * The request a user agent sends on after a redirect: which method, and whether the body goes with
 * it. Read by the client's redirect stage and by the doctor when it follows a chain.
 */

/** The status codes a user agent follows with a Location (RFC 9110 §15.4). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * The header fields that describe a request's content: they go when the body goes (RFC 9110
 * §15.4, the note on automatic redirection; the Fetch standard's "request-body-header names",
 * plus Content-Length).
 */
export const CONTENT_HEADERS: readonly string[] = Object.freeze([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
]);

export interface RedirectedMethod {
  /** The method of the next request. */
  method: string;
  /** Whether the body (and CONTENT_HEADERS) is left behind: whenever the method was rewritten. */
  dropsBody: boolean;
}

/**
 * The method after a redirect with `status`, as browsers and the Fetch standard do it:
 * - 303 (RFC 9110 §15.4.4): the answer is elsewhere, to be retrieved: any method becomes GET,
 *   except HEAD, which stays HEAD.
 * - 301 and 302 (§15.4.2, §15.4.3): a user agent MAY turn POST into GET "for historical reasons",
 *   and every browser does; any other method is kept.
 * - 307 and 308 (§15.4.8, §15.4.9) and anything else: method and body are kept.
 * Methods compare case-sensitively (§9.1): `post` is not POST.
 */
export function redirectedMethod(method: string, status: number): RedirectedMethod {
  const toGet = (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  return toGet ? { method: 'GET', dropsBody: true } : { method, dropsBody: false };
}
