/** httpbin's /response-headers: each query pair as a response header, reported in a body that states its own length. */
import { Hono } from 'hono';
import { problemResponse } from '../../server/server-failure.ts';
import { inertJson, responseHeaderRefusal } from '../inert-answers.ts';
import { sorted } from './json.ts';
import { argsOf } from './request-report.ts';

export function responseHeadersRoutes(): Hono {
  const app = new Hono();
  // httpbin adds each query pair as a response header and reports them in a body that states its
  // own length. Here a pair that would make the answer run in a browser, or undo what keeps it
  // inert, is refused (inert-answers.ts); a JSON or text/plain Content-Type replaces the default
  // instead of being added as a second one.
  app.all('/response-headers', (c) => {
    const url = new URL(c.req.url);
    const body: Record<string, string | string[]> = { 'Content-Type': 'application/json', ...argsOf(url) };
    const headers = new Headers({ 'content-type': 'application/json' });
    for (const [name, value] of url.searchParams) {
      const refusal = responseHeaderRefusal(name, value);
      if (refusal) return problemResponse('request_invalid', refusal);
      try {
        if (name.toLowerCase() === 'content-type') headers.set(name, value);
        else headers.append(name, value);
      } catch {
        return problemResponse('request_invalid', 'A response header name or value is not valid.');
      }
    }
    // As httpbin: state the length, and count again until stating it no longer changes it.
    body['Content-Length'] = '0';
    let text = `${inertJson(sorted(body), 2)}\n`;
    for (;;) {
      body['Content-Length'] = String(Buffer.byteLength(text));
      const restated = `${inertJson(sorted(body), 2)}\n`;
      if (restated === text) break;
      text = restated;
    }
    return new Response(text, { status: 200, headers });
  });
  return app;
}
