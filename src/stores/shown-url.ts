/**
 * A store's or Redis's URL as a message may show it: the password left out (a postgres:// or
 * redis:// URL often carries one), the rest as given so the operator recognises it.
 */
export function shownUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '';
    return parsed.href;
  } catch {
    // Not a URL the WHATWG parser reads: mask all of what may be userinfo.
    return url.replace(/\/\/[^@/]*@/, '//…@');
  }
}
