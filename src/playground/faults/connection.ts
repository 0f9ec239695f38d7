/** Faults of the connection itself: a reset, slow headers, a slow body, a body cut halfway. */
import type { ServerResponse } from 'node:http';
import { type Context, Hono } from 'hono';
import { problemResponse } from '../../server/server-failure.ts';
import { httpbinJson } from '../httpbin/json.ts';
import { badParameters } from './parameters.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function outgoing(c: Context): ServerResponse | undefined {
  return (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
}

// @hono/node-server leaves the response alone when a handler answers with this header.
const alreadySent = () => new Response(null, { headers: { 'x-hono-already-sent': '1' } });

/** Drops the TCP connection without an answer, as a crashed upstream or a load balancer would. */
export function resetConnection(c: Context): Response {
  outgoing(c)?.socket?.destroy();
  return alreadySent();
}

export function connectionFaultRoutes(): Hono {
  const app = new Hono();

  app.all('/fault/reset', (c) => resetConnection(c));

  app.get('/fault/slow-headers/:ms', async (c) => {
    const ms = Number(c.req.param('ms'));
    if (!Number.isFinite(ms) || ms < 0 || ms > 30_000) return badParameters('ms is 0–30000.');
    await sleep(ms);
    return httpbinJson(c, { delayedMs: ms });
  });

  // The headers at once, then the body in ten chunks spread over ?ms.
  app.get('/fault/slow-body/:ms', (c) => {
    const ms = Number(c.req.param('ms'));
    if (!Number.isFinite(ms) || ms < 0 || ms > 30_000) return badParameters('ms is 0–30000.');
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (let i = 0; i < 10; i++) {
          controller.enqueue(new TextEncoder().encode(`chunk ${i}\n`));
          await sleep(ms / 10);
        }
        controller.close();
      },
    });
    return c.body(stream, 200, { 'content-type': 'text/plain' });
  });

  // Promises 2000 bytes and sends 1000, then drops the connection.
  app.get('/fault/cut-body', (c) => {
    const res = outgoing(c);
    if (!res) return problemResponse('internal_error', 'Cutting a body needs the Node server.');
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2000' });
    res.write('x'.repeat(1000), () => setTimeout(() => res.socket?.destroy(), 20));
    return alreadySent();
  });
  return app;
}
