/** httpbin's /cookies, /cookies/set and /cookies/delete. */
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { problemResponse } from '../../server/server-failure.ts';
import { httpbinJson } from './json.ts';

export function cookieRoutes(): Hono {
  const app = new Hono();
  app.get('/cookies', (c) => httpbinJson(c, { cookies: getCookie(c) }));
  // RFC 6265 §4.1.1: a cookie name is a token; another name is the caller's mistake (400, never a 500).
  const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const badCookieName = () =>
    problemResponse('request_invalid', "A cookie name must be an RFC 6265 token (letters, digits, !#$%&'*+-.^_`|~).");
  // Cookies ignore the port (RFC 6265 §8.5): one set here reaches every server on this host. A
  // browser says where a navigation came from (Fetch Metadata, Sec-Fetch-Site, which a page cannot
  // set), so a page on another site cannot plant or delete them; programs send no such header.
  app.use('/cookies/*', async (c, next) => {
    if (c.req.path !== '/cookies' && c.req.header('sec-fetch-site') === 'cross-site')
      return problemResponse(
        'request_invalid',
        'A page on another site cannot set or delete cookies here: open the URL yourself, or send it from a program.',
      );
    return next();
  });
  app.get('/cookies/set', (c) => {
    const pairs = [...new URL(c.req.url).searchParams];
    if (!pairs.every(([name]) => COOKIE_NAME.test(name))) return badCookieName();
    for (const [name, value] of pairs) setCookie(c, name, value, { path: '/' });
    return c.body('', 302, { location: '/cookies' });
  });
  app.get('/cookies/set/:name/:value', (c) => {
    if (!COOKIE_NAME.test(c.req.param('name'))) return badCookieName();
    setCookie(c, c.req.param('name'), c.req.param('value'), { path: '/' });
    return c.body('', 302, { location: '/cookies' });
  });
  app.get('/cookies/delete', (c) => {
    const names = [...new URL(c.req.url).searchParams.keys()];
    if (!names.every((name) => COOKIE_NAME.test(name))) return badCookieName();
    for (const name of names) setCookie(c, name, '', { path: '/', maxAge: 0, expires: new Date(0) });
    return c.body('', 302, { location: '/cookies' });
  });
  return app;
}
