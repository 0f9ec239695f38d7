/** httpbin's redirects: /redirect-to (http and https targets only), /redirect, /relative-redirect, /absolute-redirect. */
import { type Context, Hono } from 'hono';
import { problemResponse } from '../../server/server-failure.ts';
import { redirectLocation } from '../redirect-target.ts';

export function redirectRoutes(): Hono {
  const app = new Hono();
  app.all('/redirect-to', (c) => {
    const url = c.req.query('url');
    if (!url) return c.text('Missing url', 400);
    const location = redirectLocation(url, c.req.url);
    if (location === undefined)
      return problemResponse(
        'request_invalid',
        'url must be an http(s) URL, absolute or relative; javascript:, data:, file: and other schemes are refused.',
      );
    const code = Number(c.req.query('status_code') ?? 302);
    const status = code >= 300 && code < 400 ? code : 302;
    return c.body('', status as 302, { location });
  });
  const hops = (c: Context) => {
    const n = Number(c.req.param('n'));
    return Number.isInteger(n) && n >= 1 ? n : undefined;
  };
  app.get('/redirect/:n', (c) => {
    const n = hops(c);
    if (n === undefined) return c.text('Invalid redirect count', 400);
    return c.body('', 302, { location: n === 1 ? '/get' : `/relative-redirect/${n - 1}` });
  });
  app.get('/relative-redirect/:n', (c) => {
    const n = hops(c);
    if (n === undefined) return c.text('Invalid redirect count', 400);
    return c.body('', 302, { location: n === 1 ? '/get' : `/relative-redirect/${n - 1}` });
  });
  app.get('/absolute-redirect/:n', (c) => {
    const n = hops(c);
    if (n === undefined) return c.text('Invalid redirect count', 400);
    const origin = new URL(c.req.url).origin;
    return c.body('', 302, { location: n === 1 ? `${origin}/get` : `${origin}/absolute-redirect/${n - 1}` });
  });
  return app;
}
