/**
 * The cookie stage: a cookie jar for cookie-session APIs. The jar (tough-cookie's CookieJar or
 * anything with its two methods) decides which cookies go where, by RFC 6265's rules.
 */
import { copyRequest } from './outgoing-request.ts';
import type { Send } from './transport.ts';

export interface CookieJarLike {
  getCookieString(url: string): Promise<string>;
  setCookie(cookie: string, url: string, options?: { ignoreError?: boolean }): Promise<unknown>;
}

export function cookieStage(jar: CookieJarLike | undefined, next: Send): Send {
  if (!jar) return next;
  return async (request, context) => {
    const stored = await jar.getCookieString(request.url.href);
    const outgoing = copyRequest(request);
    if (stored) {
      const own = outgoing.headers.get('cookie');
      outgoing.headers.set('cookie', own ? `${own}; ${stored}` : stored);
    }
    const response = await next(outgoing, context);
    // Headers of another fetch implementation may lack getSetCookie (then one combined line is all there is).
    const headers = response.headers as Partial<Headers> & Headers;
    const cookies = headers.getSetCookie ? headers.getSetCookie() : [headers.get('set-cookie') ?? ''].filter(Boolean);
    for (const cookie of cookies) {
      await jar.setCookie(cookie, request.url.href, { ignoreError: true });
    }
    return response;
  };
}
