/**
 * Plays the browser in a sign-in: follows the authorization server's redirects with a cookie jar
 * (tough-cookie) until one leads to the request's redirect_uri, then fetches that one (the
 * callback) and returns its answer.
 */
import { CookieJar } from 'tough-cookie';

export async function followSignIn(start: string): Promise<Response> {
  return fetch(await signInRedirect(start));
}

/** The redirect back (the callback URL with its code, state and iss) that a sign-in ends in. */
export async function signInRedirect(start: string): Promise<string> {
  const redirectPrefix = new URL(start).searchParams.get('redirect_uri') ?? '';
  const jar = new CookieJar();
  let url = start;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(redirectPrefix)) return url;
    const cookie = await jar.getCookieString(url);
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) await jar.setCookie(line, url);
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (!location) throw new Error(`the sign-in stopped at ${url} with ${response.status}`);
    url = new URL(location, url).href;
  }
  throw new Error('the sign-in redirected more than 20 times');
}
