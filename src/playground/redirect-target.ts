/**
 * Which targets /redirect-to sends back as its Location. httpbin sends any string; here only
 * http(s) targets, absolute or relative (protocol-relative `//host` included, as httpbin), so a
 * link to the playground cannot lead a browser to a javascript:, data: or file: URL.
 */

// C0 controls and DEL: CR and LF would split the header, and a URL parser drops tab and newline
// anywhere and other controls at the start, so `java\tscript:` and `\x01javascript:` are
// javascript: to a browser. None belongs in a Location (RFC 3986 §2).
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The Location for a target, resolved as a browser resolves it (WHATWG URL, against the URL
 * asked for, so case, leading spaces and backslashes count as they do there), or undefined when
 * it is not http(s). The target is kept as given; only non-ASCII is percent-encoded as UTF-8,
 * since a field value is bytes (RFC 9110 §5.5) and a Location a URI-reference (§10.2.2).
 */
export function redirectLocation(target: string, base: string): string | undefined {
  if (CONTROL.test(target) || !URL.canParse(target, base)) return undefined;
  const { protocol } = new URL(target, base);
  if (protocol !== 'http:' && protocol !== 'https:') return undefined;
  return target.replace(/[^\u0000-\u007f]+/g, (run) =>
    [...Buffer.from(run, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
