/**
 * A store's or Redis's URL as a message may show it: every place a password may sit left out,
 * the rest as given so the operator recognises it. A password sits in the userinfo's password,
 * in a `password` query parameter (pg and ioredis both read one), and, for Redis, in a userinfo
 * with no colon: ioredis reads `redis://SECRET@host` as the password.
 */
export function shownUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    const redis = parsed.protocol === 'redis:' || parsed.protocol === 'rediss:';
    if (!parsed.password && !(redis && parsed.username) && !passwordParameter(parsed)) return url;
    parsed.password = '';
    if (redis) parsed.username = '';
    for (const name of [...parsed.searchParams.keys()])
      if (/^pass(word)?$/i.test(name)) parsed.searchParams.set(name, '***');
    return parsed.href;
  } catch {
    // Not a URL the WHATWG parser reads: mask all of what may be userinfo, and every query.
    return url.replace(/\/\/[^@/]*@/, '//…@').replace(/\?.*$/s, '?…');
  }
}

const passwordParameter = (url: URL) => [...url.searchParams.keys()].some((name) => /^pass(word)?$/i.test(name));
