/**
 * POST /orders: an idempotent endpoint (the Hono `idempotency()` middleware on the playground's
 * store) with faults on demand (?chaos=0.3 fails that share of requests, at random: a reset
 * before or after the work, 503 or 429, slow headers, a slow body, a body cut halfway).
 * GET /orders/:key says how many times an order took effect.
 */
import type { ServerResponse } from 'node:http';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { idempotency } from '../adapters/hono/index.ts';
import { problemResponse } from '../server/server-failure.ts';
import type { IdempotencyLedger } from '../stores/types.ts';
import { ClientKeyedStateFullError, clientKeyedState, fullResponse } from './client-keyed-state.ts';
import { serviceUnavailable } from './faults/unavailable.ts';

/** How long the ledger keeps an answer, and this route the count of its key: as long as a repeat is answered from the ledger. */
const ORDER_KEEP_MS = 86_400_000; // 24 h
const FAULTS = ['reset-before', 'reset-after', '503', '429', 'slow-headers', 'slow-body', 'cut-body'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alreadySent = () => new Response(null, { headers: { 'x-hono-already-sent': '1' } });

/** Picks a fault for this request and plays it: before the work, or on the answer after it. */
const faults: MiddlewareHandler = async (c, next) => {
  const chance = Math.min(1, Math.max(0, Number(c.req.query('chaos') ?? 0) || 0));
  const fault = Math.random() < chance ? FAULTS[Math.floor(Math.random() * FAULTS.length)] : undefined;
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (fault === 'reset-before' && outgoing) {
    outgoing.socket?.destroy();
    return alreadySent();
  }
  if (fault === '429' || fault === '503') {
    // 429 is the catalogue's rate_limited; a 503 from an overloaded server has no reason of its own.
    if (fault === '503') return serviceUnavailable('0');
    return problemResponse('rate_limited', 'A fault on demand (?chaos): send it again after Retry-After.', {
      'retry-after': '0',
    });
  }
  if (fault === 'slow-headers') await sleep(50);
  await next();
  if (fault === 'reset-after' && outgoing) {
    outgoing.socket?.destroy();
    c.res = alreadySent();
  } else if (fault === 'cut-body' && outgoing) {
    const answer = c.res;
    const body = await answer.text();
    outgoing.writeHead(answer.status, {
      ...Object.fromEntries(answer.headers),
      'content-length': String(Buffer.byteLength(body) * 2),
    });
    outgoing.write(body.slice(0, Math.floor(body.length / 2)), () => setTimeout(() => outgoing.socket?.destroy(), 5));
    c.res = alreadySent();
  } else if (fault === 'slow-body') {
    const answer = c.res;
    const bytes = new Uint8Array(await answer.arrayBuffer());
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(bytes.slice(0, 5));
        await sleep(50);
        controller.enqueue(bytes.slice(5));
        controller.close();
      },
    });
    c.res = new Response(stream, answer);
  }
  return undefined;
};

export function ordersRoutes(ledger: IdempotencyLedger, options: { maxTrackedKeys?: number } = {}): Hono {
  const app = new Hono();
  // Counted per Idempotency-Key (at most 255 characters, checked by idempotency()) for as long
  // as the ledger answers its repeats. An order without a key is counted nowhere: it took effect
  // once, and no request can name it again.
  const applied = clientKeyedState<number>('order keys (POST /orders)', options.maxTrackedKeys);

  app.post('/orders', faults, idempotency({ ledger, keepMs: ORDER_KEEP_MS }), (c: Context) => {
    const key = c.req.header('idempotency-key');
    if (key !== undefined) {
      const now = Date.now();
      try {
        applied.hold(key, (applied.get(key, now) ?? 0) + 1, now + ORDER_KEEP_MS, now);
      } catch (error) {
        // Refused before the order takes effect; a 5xx releases the key in the ledger.
        if (error instanceof ClientKeyedStateFullError) return fullResponse(error);
        throw error;
      }
    }
    return c.json({ order: key ?? `anonymous-${Math.random()}`, created: true }, 201);
  });

  app.get('/orders/:key', (c) =>
    c.json({ order: c.req.param('key'), applied: applied.get(c.req.param('key'), Date.now()) ?? 0 }),
  );
  return app;
}
