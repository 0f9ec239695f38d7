/**
 * The jar `cookies: true` makes: tough-cookie's CookieJar over a memory store bounded as browsers
 * bound theirs, so that a server cannot grow the client's heap with cookies. RFC 6265 §6.1 asks a
 * user agent to hold at least 4096 bytes per cookie, 50 cookies per domain and 3000 in all; past a
 * limit, §5.3 step 12 evicts the cookies of the domain over its share first, then any, the least
 * recently used first (expired cookies are dropped whenever they are read).
 */
import type { CookieLimits } from './bounded-cookie-store.ts';
import type { CookieJarLike } from './cookies.ts';

/** RFC 6265 §6.1's minimums (browsers keep more of a domain's: Chrome and Firefox 180). */
const LIMITS: Readonly<CookieLimits> = Object.freeze({
  bytesPerCookie: 4096,
  perDomain: 50,
  total: 3000,
});

/** A new bounded tough-cookie jar, loaded only when a client asks for cookies. */
export async function createCookieJar(): Promise<CookieJarLike> {
  const [{ CookieJar }, { BoundedCookieStore }] = await Promise.all([
    import('tough-cookie'),
    import('./bounded-cookie-store.ts'),
  ]);
  const jar = new CookieJar(new BoundedCookieStore(LIMITS));
  const encoder = new TextEncoder();
  return {
    getCookieString: (url) => jar.getCookieString(url),
    setCookie: async (cookie, url, options) => {
      // RFC 6265 §6.1: a browser ignores a cookie past its size limit, as this jar does.
      if (encoder.encode(cookie).length > LIMITS.bytesPerCookie) return undefined;
      return jar.setCookie(cookie, url, options);
    },
  };
}
