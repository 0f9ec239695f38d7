/**
 * What a client may register as a redirect URI for the authorization-code grant. The authorize
 * endpoint compares the one a request names to these by exact string (RFC 9700 §4.1.3), so a
 * registration is checked once, here, for what no exact match could make safe.
 */

/**
 * Why `uri` cannot be registered, or undefined when it can: an absolute URI without a fragment
 * (RFC 6749 §3.1.2); https, or http only to a loopback address (RFC 8252 §7.3, RFC 9700 §2.1), or a
 * private-use scheme named after a domain, with a dot (RFC 8252 §7.1) for a native app.
 */
export function redirectUriProblem(uri: string): string | undefined {
  const url = URL.parse(uri);
  if (!url) return 'is not an absolute URI';
  if (uri.includes('#')) return 'has a fragment, which a redirect URI may not have (RFC 6749 §3.1.2)';
  if (url.username || url.password) return 'has a user name or password in it';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:')
    return isLoopback(url.hostname)
      ? undefined
      : 'is plain http to a host that is not loopback: use https, or http://127.0.0.1/… for an app on this machine, which then matches on any port (RFC 8252 §7.3)';
  // A private-use scheme for a native app is a reversed domain name, e.g. com.example.app:/callback.
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) return undefined;
  return `uses the scheme ${url.protocol.slice(0, -1)}, which is neither https, loopback http, nor a private-use scheme named after a domain (RFC 8252 §7.1)`;
}

function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  // RFC 8252 §8.3: loopback by IP literal; `localhost` may resolve elsewhere, but is accepted as many apps use it.
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

// A loopback IP redirect URI, split as written: host, port, and the rest (path and query).
const LOOPBACK_IP_URI = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?][^#]*)?$/;

/**
 * Whether the redirect URI a request names is one the client registered: the same string (RFC
 * 9700 §4.1.3), except that for a loopback IP redirect URI the port may be any (RFC 8252 §7.3: a
 * native app listens on whatever port is free), the rest of it still compared exactly.
 */
export function isRegisteredRedirectUri(registered: readonly string[], asked: string): boolean {
  if (registered.includes(asked)) return true;
  const ask = LOOPBACK_IP_URI.exec(asked);
  // A port no URL can have (99999) is no redirect URI: the browser could not be sent there.
  if (!ask || !URL.canParse(asked)) return false;
  return registered.some((uri) => {
    const own = LOOPBACK_IP_URI.exec(uri);
    return own !== null && own[1] === ask[1] && (own[3] ?? '') === (ask[3] ?? '');
  });
}
