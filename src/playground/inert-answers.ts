/**
 * Every answer the playground gives is inert in a browser: whatever a request reflects (query,
 * path, headers, body) can never become a page that runs on the playground's own loopback origin.
 * Such a page would be same-origin with every route, and CORS-allowed on the second port, so it
 * would read every authenticated answer the CORS policy (cors.ts) keeps from other sites.
 *
 * Three layers, each enough alone for the attack adversary 2 found (finding 3):
 * - every answer carries `X-Content-Type-Options: nosniff` and a Content-Security-Policy that
 *   runs nothing and sandboxes the document into an opaque origin (the index page: its style only;
 *   the authorize endpoint's pages: the policy it set, which runs nothing either but lets its
 *   sign-in form be sent, and sent on to the redirect URI, which a sandbox forbids);
 * - /response-headers cannot set a type a browser renders, cookies, or the headers that make an
 *   answer safe (`responseHeaderRefusal`);
 * - JSON escapes `<`, `>` and `&` as \u003c, \u003e, \u0026 (equal JSON, never markup).
 */
import type { MiddlewareHandler } from 'hono';

/** CSP Level 3: fetch nothing, run nothing, be framed by no one, and be an opaque origin (`sandbox`). */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const MARKUP: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' };

/** RFC 8259 §7: `\u003c` is the same string as `<`; no JSON text can then hold `<script` or `</`. */
export function escapeJsonMarkup(json: string): string {
  return json.replace(/[<>&]/g, (ch) => MARKUP[ch]!);
}

/** `JSON.stringify` whose output is safe to reflect. */
export function inertJson(value: unknown, space?: number): string {
  return escapeJsonMarkup(JSON.stringify(value, null, space));
}

/**
 * The playground's outermost middleware: sets nosniff and the policy on every answer (refusals,
 * 404s, 421s, preflights, errors included; replacing any a route set), and escapes the markup
 * characters of any JSON answer a route wrote with `c.json` or its own `JSON.stringify`.
 */
export interface InertAnswersOptions {
  /** The index page's policy. */
  indexPolicy: string;
  /**
   * Paths whose HTML pages are the server's own and keep the Content-Security-Policy it set (the
   * authorize endpoint's sign-in form); without one they get the sandboxing policy. @default []
   */
  ownPolicyPaths?: readonly string[];
}

export function inertAnswers(options: InertAnswersOptions): MiddlewareHandler {
  const own = new Set(options.ownPolicyPaths ?? []);
  return async (c, next) => {
    await next();
    let res = c.res;
    const type = res.headers.get('content-type') ?? '';
    if (res.body && JSON_TYPE.test(type)) {
      const text = await res.text();
      const escaped = escapeJsonMarkup(text);
      const headers = new Headers(res.headers);
      if (escaped !== text) headers.delete('content-length');
      // Hono merges the old answer's headers into a new one unless it is cleared first.
      c.res = undefined;
      c.res = res = new Response(escaped, { status: res.status, statusText: res.statusText, headers });
    }
    const html = type.startsWith('text/html');
    const index = c.req.method === 'GET' && c.req.path === '/' && html;
    const kept = html && own.has(c.req.path) ? res.headers.get('content-security-policy') : null;
    const policy = index ? options.indexPolicy : (kept ?? API_POLICY);
    try {
      res.headers.set('x-content-type-options', 'nosniff');
      res.headers.set('content-security-policy', policy);
      res.headers.delete('content-security-policy-report-only');
    } catch {
      // A Response with immutable headers (Response.redirect, a fetched one): copy it.
      c.res = undefined;
      c.res = new Response(res.body, res);
      c.res.headers.set('x-content-type-options', 'nosniff');
      c.res.headers.set('content-security-policy', policy);
    }
  };
}

/**
 * What /response-headers will not set, and why; undefined for what it sets as httpbin does.
 * httpbin (`/response-headers`, "Returns a set of response headers from the query string") adds
 * any header asked for, so on httpbin.org `?Content-Type=text/html&x=<script>` is a page on its
 * origin. The playground keeps httpbin's answer for everything else a non-browser client sets
 * (custom headers, Cache-Control, Location, ETag, JSON and plain-text types) and refuses:
 */
export function responseHeaderRefusal(name: string, value: string): string | undefined {
  const lower = name.toLowerCase();
  // A type a browser renders or runs (HTML, XML, SVG, scripts, multipart): JSON and text/plain only,
  // one type, so no `application/json, text/html` list where a browser takes the last (Fetch §3.5).
  if (lower === 'content-type')
    return /^(?:application\/(?:[\w.+-]+\+)?json|text\/plain)\s*(?:;\s*[\w!#$%&'*+.^`|~-]+=(?:[\w!#$%&'*+.^`|~-]+|"[^"\\]*")\s*)*$/i.test(
      value,
    )
      ? undefined
      : 'Content-Type may be a JSON type or text/plain only: a type a browser renders would run the reflected query on the playground’s origin.';
  if (REFUSED.has(lower) || lower.startsWith('access-control-'))
    return `${name} cannot be set: ${REFUSED.get(lower) ?? 'CORS grants are the playground’s policy (--cors-origin), not the query’s.'}`;
  return undefined;
}

const SAFETY = 'it keeps the answer inert in a browser.';
const FRAMING = 'the server frames the message itself.';
const REFUSED = new Map<string, string>([
  // Cookies on the playground's origin (cookies ignore the port): a planted or fixed session.
  ['set-cookie', 'a cookie planted on the playground’s origin would reach every port on this host.'],
  ['set-cookie2', 'a cookie planted on the playground’s origin would reach every port on this host.'],
  ['content-security-policy', SAFETY],
  ['content-security-policy-report-only', SAFETY],
  ['x-content-type-options', SAFETY],
  ['x-frame-options', SAFETY],
  ['cross-origin-resource-policy', SAFETY],
  ['cross-origin-opener-policy', SAFETY],
  ['cross-origin-embedder-policy', SAFETY],
  ['permissions-policy', SAFETY],
  ['service-worker-allowed', SAFETY],
  // Wipes the cookies and storage of every port on this host.
  ['clear-site-data', 'it would clear the site data of every port on this host.'],
  // A navigation the query chooses (javascript: in older browsers); /redirect-to checks its targets.
  ['refresh', 'use /redirect-to, which refuses targets that are not http(s).'],
  ['content-length', FRAMING],
  ['transfer-encoding', FRAMING],
  ['content-encoding', FRAMING],
  ['connection', FRAMING],
  ['keep-alive', FRAMING],
  ['upgrade', FRAMING],
  ['trailer', FRAMING],
]);
