/**
 * POST /orders: an idempotent endpoint with faults on demand (?chaos=0.3 fails that share of
 * requests, at random: a reset before or after the work, 503 or 429, slow headers, a slow body,
 * a body cut halfway). GET /orders/:key says how many times an order took effect.
 */
import type { ServerResponse } from 'node:http';
import { type Context, Hono } from 'hono';
import { idempotent } from '../server/idempotency.ts';
import type { IdempotencyLedger } from '../stores/types.ts';

const FAULTS = ['reset-before', 'reset-after', '503', '429', 'slow-headers', 'slow-body', 'cut-body'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alreadySent = () => new Response(null, { headers: { 'x-hono-already-sent': '1' } });

export function ordersRoutes(ledger: IdempotencyLedger): Hono {
  const app = new Hono();
  const applied = new Map<string, number>();

  app.post('/orders', async (c: Context) => {
    const chance = Math.min(1, Math.max(0, Number(c.req.query('chaos') ?? 0) || 0));
    const fault = Math.random() < chance ? FAULTS[Math.floor(Math.random() * FAULTS.length)] : undefined;
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (fault === 'reset-before' && outgoing) {
      outgoing.socket?.destroy();
      return alreadySent();
    }
    if (fault === '503' || fault === '429')
      return c.json({ type: 'about:blank', title: 'Try again', status: Number(fault) }, Number(fault) as 503, {
        'retry-after': '0',
      });
    if (fault === 'slow-headers') await sleep(50);
    const body = await c.req.text();
    const key = c.req.header('idempotency-key') ?? null;
    const result = await idempotent({ ledger }, { method: 'POST', target: '/orders', key, body }, async () => {
      const id = key ?? `anonymous-${Math.random()}`;
      applied.set(id, (applied.get(id) ?? 0) + 1);
      return {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ order: id, created: true }),
      };
    });
    if (fault === 'reset-after' && outgoing) {
      outgoing.socket?.destroy();
      return alreadySent();
    }
    if (fault === 'cut-body' && outgoing) {
      outgoing.writeHead(result.status, { ...result.headers, 'content-length': String(result.body.length * 2) });
      outgoing.write(result.body.slice(0, Math.floor(result.body.length / 2)), () =>
        setTimeout(() => outgoing.socket?.destroy(), 5),
      );
      return alreadySent();
    }
    if (fault === 'slow-body') {
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const bytes = new TextEncoder().encode(result.body);
          controller.enqueue(bytes.slice(0, 5));
          await sleep(50);
          controller.enqueue(bytes.slice(5));
          controller.close();
        },
      });
      return c.body(stream, result.status as 201, result.headers);
    }
    return c.body(result.body, result.status as 201, result.headers);
  });

  app.get('/orders/:key', (c) => c.json({ order: c.req.param('key'), applied: applied.get(c.req.param('key')) ?? 0 }));
  return app;
}
