/**
 * What httpbin cannot simulate: rate limits that answer 429 or 503 with Retry-After in either
 * form and RateLimit fields; routes that fail N times then succeed; connection resets; slow
 * headers; slow bodies; bodies cut halfway.
 */
import type { ServerResponse } from 'node:http';
import { type Context, Hono } from 'hono';
import { createProblem, formatHttpDate, PROBLEM_CONTENT_TYPE } from '../http/index.ts';
import { problemResponse } from '../server/server-failure.ts';
import {
  ClientKeyedStateFullError,
  clientKeyedState,
  DEFAULT_MAX_TRACKED_KEYS,
  fullResponse,
  MAX_CLIENT_KEY_LENGTH,
} from './client-keyed-state.ts';
import { httpbinJson } from './httpbin/json.ts';
import { originOf } from './httpbin/request-report.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a /flaky id's count is kept after its last request. */
export const FLAKY_KEEP_MS = 600_000; // 10 min

/** A query or path parameter out of its range: the catalogue's request_invalid, the detail naming the range. */
const badParameters = (detail: string) => problemResponse('request_invalid', detail);

/**
 * An overloaded upstream's 503, which has no reason in the catalogue (it is no refusal of
 * Gatehouse's): a problem of type about:blank, titled with the status phrase (RFC 9457 §4.2.1).
 */
export function serviceUnavailable(retryAfter: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503 }), {
    status: 503,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': retryAfter },
  });
}

/** A bounded number from the query, or undefined when it is not one. */
function numberParam(c: Context, name: string, fallback: number, max: number): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 && value <= max ? value : undefined;
}

function outgoing(c: Context): ServerResponse | undefined {
  return (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
}

// @hono/node-server leaves the response alone when a handler answers with this header.
const alreadySent = () => new Response(null, { headers: { 'x-hono-already-sent': '1' } });

/** Drops the TCP connection without an answer, as a crashed upstream or a load balancer would. */
function resetConnection(c: Context): Response {
  outgoing(c)?.socket?.destroy();
  return alreadySent();
}

/** The key a client chose in ?name, or the client's address; undefined when it is too long. */
function clientKey(c: Context, name: string): string | undefined {
  const chosen = c.req.query(name);
  return chosen === undefined ? originOf(c) : chosen.length <= MAX_CLIENT_KEY_LENGTH ? chosen : undefined;
}

const keyTooLong = (name: string) => badParameters(`${name} is at most ${MAX_CLIENT_KEY_LENGTH} characters.`);

export function faultRoutes(options: { maxTrackedKeys?: number } = {}): Hono {
  const app = new Hono();
  const max = options.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS;
  // A budget is kept until its window ends; a count until FLAKY_KEEP_MS after the id's last request.
  const windows = clientKeyedState<{ start: number; used: number }>('rate-limit windows (/limited)', max);
  const failures = clientKeyedState<number>('flaky ids (/flaky)', max);

  // A fixed budget of requests per window; over it, 429 (or 503 with ?status=503) with Retry-After.
  app.all('/limited', (c) => {
    const budget = numberParam(c, 'budget', 3, 10_000);
    const windowSeconds = numberParam(c, 'window', 2, 3600);
    const status = c.req.query('status') === '503' ? 503 : 429;
    const form = c.req.query('form') === 'date' ? 'date' : 'seconds';
    if (budget === undefined || windowSeconds === undefined || windowSeconds === 0)
      return badParameters('budget is 0–10000 and window 1–3600 seconds.');
    const chosen = clientKey(c, 'key');
    if (chosen === undefined) return keyTooLong('key');
    const key = `${chosen}|${budget}|${windowSeconds}`;
    const now = Date.now();
    let state = windows.get(key, now);
    if (!state) {
      state = { start: now, used: 0 };
      try {
        windows.hold(key, state, now + windowSeconds * 1000, now);
      } catch (error) {
        if (error instanceof ClientKeyedStateFullError) return fullResponse(error);
        throw error;
      }
    }
    const resetMs = state.start + windowSeconds * 1000 - now;
    const reset = Math.max(1, Math.ceil(resetMs / 1000));
    const headers: Record<string, string> = {
      'ratelimit-policy': `"playground";q=${budget};w=${windowSeconds}`,
      ratelimit: `"playground";r=${Math.max(0, budget - state.used - 1)};t=${reset}`,
    };
    if (state.used >= budget) {
      headers['ratelimit'] = `"playground";r=0;t=${reset}`;
      headers['retry-after'] = form === 'date' ? formatHttpDate(Date.now() + reset * 1000) : String(reset);
      const refusal = createProblem('rate_limited', { detail: `Budget of ${budget} per ${windowSeconds} s used up.` });
      // ?status=503 plays a server that sheds load with 503; the body's status repeats the one
      // sent (RFC 9457 §3.1.2), the rest is the catalogue's.
      return c.body(JSON.stringify({ ...refusal, status }), status as 429, {
        ...headers,
        'content-type': PROBLEM_CONTENT_TYPE,
      });
    }
    state.used++;
    return httpbinJson(c, { ok: true, remaining: budget - state.used }, 200, headers);
  });

  // Fails with ?status (503 by default) or a connection reset (?mode=reset) the first N times per id, then succeeds.
  app.all('/flaky/:n', async (c) => {
    const n = Number(c.req.param('n'));
    if (!Number.isInteger(n) || n < 0 || n > 100) return badParameters('n is a whole number from 0 to 100.');
    const id = clientKey(c, 'id');
    if (id === undefined) return keyTooLong('id');
    const key = `${id}|${c.req.path}`;
    const now = Date.now();
    const seen = failures.get(key, now) ?? 0;
    try {
      failures.hold(key, seen + 1, now + FLAKY_KEEP_MS, now);
    } catch (error) {
      if (error instanceof ClientKeyedStateFullError) return fullResponse(error);
      throw error;
    }
    if (seen < n) {
      if (c.req.query('mode') === 'reset') {
        return resetConnection(c);
      }
      const status = Number(c.req.query('status') ?? 503);
      const retryAfter = c.req.query('retry_after');
      return c.body(
        JSON.stringify({ attempt: seen + 1, failing: true }),
        (status >= 400 && status <= 599 ? status : 503) as 503,
        {
          'content-type': 'application/json',
          ...(retryAfter ? { 'retry-after': retryAfter } : {}),
        },
      );
    }
    return httpbinJson(c, {
      attempt: seen + 1,
      failing: false,
      method: c.req.method,
      body: c.req.method === 'GET' ? '' : await c.req.text(),
    });
  });

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

  app.get('/unavailable', (c) => {
    const seconds = numberParam(c, 'retry_after', 1, 3600);
    if (seconds === undefined) return badParameters('retry_after is 0–3600 seconds.');
    const value = c.req.query('form') === 'date' ? formatHttpDate(Date.now() + seconds * 1000) : String(seconds);
    return serviceUnavailable(value);
  });
  return app;
}
