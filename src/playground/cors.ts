/**
 * The playground's CORS policy. Its answers carry credentials (Basic, tokens, a session cookie),
 * so an origin it allows can read authenticated answers from a browser: by default only pages
 * served from this machine (loopback origins), plus the origins named with `--cors-origin`.
 * Any other origin gets no Access-Control-Allow-* header at all, and its request is answered as
 * if there were no CORS: the browser keeps the answer from the page.
 *
 * httpbin reflects every Origin (and `*` without one) with credentials allowed; here only the
 * reflection of what a preflight asks for (methods, headers) is kept, for allowed origins.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
import type { Context, MiddlewareHandler } from 'hono';
import { invalidArgument } from '../http/argument-error.ts';
import { isLoopbackHost } from './host-check.ts';

const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const EXPOSE_HEADERS = 'WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy, Location';
/** As httpbin: a preflight may be cached for an hour. */
const MAX_AGE = '3600'; // s

/**
 * An Origin header as a browser serializes it (RFC 6454 §6.2: scheme "://" host [":" port],
 * lower-case, no default port, no userinfo, path, query or fragment), or undefined. Comparing
 * the serialization with the value refuses every near miss (`http://localhost@evil.com`,
 * `http://localhost/`, `http://127.1`, `HTTP://LOCALHOST`) and `null`.
 */
function serializedOrigin(value: string): URL | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.origin === value ? url : undefined;
}

/**
 * http(s)://localhost, 127.0.0.0/8 or [::1], any port: a page served from this machine. The URL
 * parser has already turned every IPv4 form (0x7f.1, 2130706433) into dotted decimal in a
 * serialized origin, so 127.0.0.1.evil.com stays a name.
 */
export function isLoopbackOrigin(origin: string): boolean {
  const url = serializedOrigin(origin);
  return url !== undefined && isLoopbackHost(url.hostname);
}

/**
 * A `--cors-origin` value as the origin a browser will send (`HTTPS://App.Example/` becomes
 * `https://app.example`); throws a coded TypeError for anything that is not one http(s) origin,
 * `*` and `null` included: the playground never grants every site, nor sandboxed pages.
 */
export function corsOrigin(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username ||
    url.password ||
    url.pathname !== '/' ||
    url.search ||
    url.hash
  )
    throw invalidArgument(
      `cors origin ${JSON.stringify(value)} is not an origin; name one as scheme://host[:port], e.g. https://app.example:8443`,
    );
  return url.origin;
}

/**
 * `Origin: null` is what any sandboxed iframe or data:/file: page sends, and also what a
 * loopback page's request carries once a redirect took it to another origin (Fetch, HTTP-redirect
 * fetch: the "tainted origin" flag), as /cross-origin/redirect does. Only the second is granted:
 * Sec-Fetch-Site, which a browser sets from the page's real origin and a page cannot set, is
 * same-site only for a page on the host asked for, and that host is loopback (a DNS-rebound
 * name is not); for an opaque origin it is always cross-site. No Sec-Fetch-Site, no grant.
 */
function redirectedFromLoopback(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  return (site === 'same-origin' || site === 'same-site') && isLoopbackOrigin(new URL(c.req.url).origin);
}

export interface PlaygroundCorsOptions {
  /** Origins allowed besides loopback ones, already checked by corsOrigin(). @default [] */
  origins?: readonly string[];
}

export function playgroundCors(options: PlaygroundCorsOptions = {}): MiddlewareHandler {
  const named = new Set(options.origins ?? []);
  const allows = (origin: string, c: Context) =>
    named.has(origin) || isLoopbackOrigin(origin) || (origin === 'null' && redirectedFromLoopback(c));
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && allows(origin, c);
    // A preflight is the CORS protocol's own request: answered here, never by a route, and
    // with nothing granted when the origin is not allowed (the browser then stops there).
    if (c.req.method === 'OPTIONS' && origin !== undefined && c.req.header('access-control-request-method')) {
      const headers = new Headers({
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network',
      });
      if (allowed) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-allow-credentials', 'true');
        headers.set('access-control-allow-methods', ALLOW_METHODS);
        headers.set('access-control-max-age', MAX_AGE);
        const asked = c.req.header('access-control-request-headers');
        if (asked) headers.set('access-control-allow-headers', asked);
        // Chromium's Private Network Access: a public origin named with --cors-origin may reach
        // a playground on loopback only when the preflight says so; an origin not allowed never.
        if (c.req.header('access-control-request-private-network') === 'true')
          headers.set('access-control-allow-private-network', 'true');
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    const headers = c.res.headers;
    headers.append('vary', 'Origin');
    if (allowed) {
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-allow-credentials', 'true');
      headers.set('access-control-expose-headers', EXPOSE_HEADERS);
    } else if (origin !== undefined) {
      // Nothing a route set (/response-headers sets what it is asked to) grants this origin.
      for (const name of [...headers.keys()]) if (name.startsWith('access-control-')) headers.delete(name);
    }
    return undefined;
  };
}
