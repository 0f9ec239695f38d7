/** httpbin's /status/:codes: one status, or a weighted random pick of several, with its challenge or Location. */
import { Hono } from 'hono';

export function statusRoutes(): Hono {
  const app = new Hono();
  app.all('/status/:codes', (c) => {
    const choices: Array<[number, number]> = [];
    for (const part of c.req.param('codes').split(',')) {
      const [code, weight] = part.split(':');
      const status = Number(code);
      const w = weight === undefined ? 1 : Number(weight);
      if (!/^\d{3}$/.test(code ?? '') || status < 200 || status > 599 || !Number.isFinite(w) || w < 0)
        return c.text('Invalid status code', 400);
      choices.push([status, w]);
    }
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let pick = Math.random() * total;
    let status = choices[0]![0];
    for (const [code, w] of choices) {
      pick -= w;
      if (pick <= 0) {
        status = code;
        break;
      }
    }
    const headers: Record<string, string> = {};
    if (status === 401) headers['www-authenticate'] = 'Basic realm="Fake Realm"';
    if (status === 407) headers['proxy-authenticate'] = 'Basic realm="Fake Realm"';
    if (status >= 300 && status < 400 && status !== 304) headers['location'] = '/redirect/1';
    return new Response(status === 204 || status === 304 ? null : '', { status, headers });
  });
  return app;
}
