/**
 * The absolute URL of a Node request, built in one place that never throws: from the request
 * target and the Host header, both of which the client chose. A Host that is not an authority
 * (`a b`, `[`, `x:99999`, `a@b:c`, `x/y`) gives undefined, which callers answer 400
 * request_invalid; a URL library would throw on it, or worse, read a path out of it.
 */
import type { IncomingMessage } from 'node:http';

// RFC 9110 §7.2, RFC 3986 §3.2.2: Host = uri-host [ ":" port ]; uri-host is an IP literal in
// brackets, or a reg-name (unreserved and sub-delims; percent-encoding has no place in a Host).
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)(?::[0-9]{0,5})?$/;

/** The URL of a Node request, or undefined when its Host or target cannot make one. */
export function requestUrl(req: IncomingMessage): string | undefined {
  const target = req.url ?? '/';
  // RFC 9112 §3.2.2: a request in absolute-form names its own authority, and Host is ignored.
  if (!target.startsWith('/')) {
    const absolute = /^https?:\/\//i.test(target) ? URL.parse(target) : null;
    return absolute && absolute.username === '' && absolute.password === '' ? absolute.href : undefined;
  }
  const host = req.headers.host ?? 'localhost';
  if (!HOST.test(host)) return undefined;
  const secure = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const href = `${secure ? 'https' : 'http'}://${host}${target}`;
  // What the pattern lets through can still be out of range (a port above 65535, a bad IPv6).
  return URL.canParse(href) ? href : undefined;
}
