/** rateLimit(): a request budget per client as Hono middleware. */
import type { Context, MiddlewareHandler } from 'hono';
import { createRateLimit, type RateLimitOptions } from '../../server/rate-limit.ts';
import { failureOf, failureResponse, logFailure } from '../../server/server-failure.ts';
import { clientAddressOf } from './client-address.ts';

export interface HonoRateLimitOptions extends RateLimitOptions {
  /**
   * Who is asking, where @hono/node-server's socket is not there to say (another runtime, a proxy).
   * @default the socket's address on @hono/node-server
   */
  clientAddress?: (c: Context) => string | undefined;
}

/**
 * A budget of `points` requests per `durationSeconds` and client (or `key`):
 * `app.use(rateLimit({ points: 100, durationSeconds: 60, backend: { redis } }))`. Every answer
 * carries RateLimit and RateLimit-Policy; past the budget, 429 `rate_limited` with Retry-After.
 * A backend that fails is a 503 problem+json.
 */
export function rateLimit(options: HonoRateLimitOptions): MiddlewareHandler {
  const limit = createRateLimit(options);
  const addressOf = options.clientAddress ?? clientAddressOf;
  return async (c, next) => {
    let decision: Awaited<ReturnType<typeof limit.take>>;
    try {
      const url = new URL(c.req.url);
      decision = await limit.take({
        method: c.req.method,
        target: `${url.pathname}${url.search}`,
        clientAddress: addressOf(c),
        header: (name) => c.req.header(name),
      });
    } catch (error) {
      const failure = failureOf(error, 'rate limit');
      logFailure(failure);
      return failureResponse(failure);
    }
    if (!decision.allowed) return decision.response;
    await next();
    // A handler may answer with a Response whose headers are immutable (one fetch returned).
    if (!setAll(c.res.headers, decision.headers)) {
      c.res = new Response(c.res.body, c.res);
      setAll(c.res.headers, decision.headers);
    }
    return undefined;
  };
}

function setAll(headers: Headers, fields: Record<string, string>): boolean {
  try {
    for (const [name, value] of Object.entries(fields)) headers.set(name, value);
    return true;
  } catch {
    return false;
  }
}
