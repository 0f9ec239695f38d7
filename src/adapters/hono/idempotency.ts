/** idempotency(): the idempotency ledger as Hono middleware. */
import type { MiddlewareHandler } from 'hono';
import { beginIdempotent } from '../../server/idempotency/begin-idempotent.ts';
import type { IdempotencyOptions } from '../../server/idempotency/options.ts';
import { fromStoredResponse, toStoredResponse } from '../../server/idempotency/stored-response.ts';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, readLimited } from '../../server/request-limits.ts';
import { problemResponse } from '../../server/server-failure.ts';
import type { GatehouseVariables } from './variables.ts';

/**
 * The idempotency ledger as middleware, after `protect` so keys are kept per principal:
 * `app.post('/orders', protect(guard), idempotency({ ledger: store.idempotency }), createOrder)`.
 * A POST (or PATCH) with an Idempotency-Key runs once; a repeat is answered from the ledger,
 * 409 while the first runs, 422 for the key with another body; a handler that throws releases
 * the key (Hono answers it with a 5xx).
 */
export function idempotency(options: IdempotencyOptions): MiddlewareHandler<{ Variables: GatehouseVariables }> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const start = await beginIdempotent(options, {
      method: c.req.method,
      target: `${url.pathname}${url.search}`,
      key: c.req.header('idempotency-key') ?? null,
      principal: c.get('auth'),
      // A copy: the handler reads the body as usual. Counted while it streams.
      body: () =>
        readLimited(
          c.req.raw.clone().body,
          options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
          c.req.header('content-length'),
        ),
    }).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError)
        return problemResponse(error.refusal.reason, error.refusal.detail!, { connection: 'close' });
      throw error;
    });
    if (start instanceof Response) return start;
    if (start.action === 'answer') {
      const { status, headers, body } = fromStoredResponse(start.response);
      return new Response(new Uint8Array(body), { status, headers });
    }
    if (start.action === 'pass') {
      await next();
      return undefined;
    }
    try {
      await next();
    } catch (error) {
      await start.abandon();
      throw error;
    }
    if (c.error) {
      await start.abandon();
      return undefined;
    }
    const response = c.res;
    const bytes = new Uint8Array(await response.arrayBuffer());
    await start.finish(toStoredResponse(response.status, response.headers, bytes)).catch(() => {});
    c.res = new Response(bytes, response);
    return undefined;
  };
}
