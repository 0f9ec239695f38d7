/** httpbin's echoes: /headers, /ip, /user-agent, /uuid, /get, /anything and /delay. */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { httpbinJson } from './json.ts';
import { anything, argsOf, headersOf, originOf } from './request-report.ts';

export function echoRoutes(): Hono {
  const app = new Hono();
  app.get('/headers', (c) => httpbinJson(c, { headers: headersOf(c) }));
  app.get('/ip', (c) => httpbinJson(c, { origin: originOf(c) }));
  app.get('/user-agent', (c) => httpbinJson(c, { 'user-agent': c.req.header('user-agent') ?? null }));
  app.get('/uuid', (c) => httpbinJson(c, { uuid: randomUUID() }));
  app.get('/get', (c) => {
    const url = new URL(c.req.url);
    return httpbinJson(c, { args: argsOf(url), headers: headersOf(c), origin: originOf(c), url: url.href });
  });
  app.all('/anything', async (c) => httpbinJson(c, await anything(c)));
  app.all('/anything/*', async (c) => httpbinJson(c, await anything(c)));
  app.get('/delay/:n', async (c) => {
    const n = Number(c.req.param('n'));
    if (!Number.isFinite(n) || n < 0) return c.text('Invalid delay', 400);
    await new Promise((r) => setTimeout(r, Math.min(n, 10) * 1000));
    const { method: _m, json: _j, ...rest } = await anything(c);
    return httpbinJson(c, rest);
  });
  return app;
}
