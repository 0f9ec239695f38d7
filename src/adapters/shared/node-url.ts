/**
 * The absolute URL of a Node request, built in one place that never throws: its scheme from the
 * connection (TLS or not), its authority and path from the request target and the Host header,
 * which the client chose. A Host that is not an authority (`a b`, `[`, `x:99999`, `a@b:c`, `x/y`)
 * gives undefined, which callers answer 400 request_invalid; a URL library would throw on it, or
 * worse, read a path out of it.
 */
import type { IncomingMessage } from 'node:http';

// RFC 9110 §7.2, RFC 3986 §3.2.2: Host = uri-host [ ":" port ]; uri-host is an IP literal in
// brackets, or a reg-name (unreserved and sub-delims; percent-encoding has no place in a Host).
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)(?::[0-9]{0,5})?$/;

/** The URL of a Node request, or why there is none (a sentence for a 400 request_invalid). */
export type ReadUrl = { href: string } | { problem: string };

/** The scheme of the connection a request came on: `https:` over TLS, `http:` otherwise. */
export function connectionScheme(req: Pick<IncomingMessage, 'socket'>): 'http:' | 'https:' {
  return (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true ? 'https:' : 'http:';
}

/**
 * Why a request URL whose scheme a client chose (an absolute-form target, HTTP/2's :scheme) is not
 * this request's: RFC 9112 §3.2.2 lets the target name the authority, never the security of the
 * connection, and an https URL is never served without TLS (RFC 9110 §4.2.2). Trusting it would let
 * a DPoP proof or a signature made for https://elsewhere pass on a plain-http listener.
 */
export function schemeMismatch(href: string, req: Pick<IncomingMessage, 'socket'>): string | undefined {
  const scheme = URL.parse(href)?.protocol;
  const connection = connectionScheme(req);
  if (scheme === undefined || scheme === connection) return undefined;
  return `The request target's scheme (${scheme.slice(0, -1)}) is not the connection's (${connection.slice(0, -1)}): send the request ${connection === 'https:' ? 'with an https URL' : 'over TLS to an https listener'}, or with a path (origin-form) as clients do.`;
}

/** The URL of a Node request, or why its Host or target cannot make one. */
export function readRequestUrl(req: IncomingMessage): ReadUrl {
  const target = req.url ?? '/';
  // RFC 9112 §3.2.2: a request in absolute-form names its own authority, and Host is ignored.
  if (!target.startsWith('/')) {
    const parsed = /^https?:\/\//i.test(target) ? URL.parse(target) : null;
    const absolute = parsed && parsed.username === '' && parsed.password === '' ? parsed : undefined;
    if (!absolute)
      return { problem: 'The request target is not an absolute http(s) URL without userinfo, nor a path.' };
    const mismatch = schemeMismatch(absolute.href, req);
    return mismatch === undefined ? { href: absolute.href } : { problem: mismatch };
  }
  const host = req.headers.host ?? 'localhost';
  const invalidHost = { problem: 'The Host header is not a valid authority (host or host:port).' };
  if (!HOST.test(host)) return invalidHost;
  const href = `${connectionScheme(req)}//${host}${target}`;
  // What the pattern lets through can still be out of range (a port above 65535, a bad IPv6).
  return URL.canParse(href) ? { href } : invalidHost;
}

/** The URL of a Node request, or undefined when its Host or target cannot make one. */
export function requestUrl(req: IncomingMessage): string | undefined {
  const read = readRequestUrl(req);
  return 'href' in read ? read.href : undefined;
}
