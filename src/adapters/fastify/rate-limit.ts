/** rateLimit(): a request budget per client as a Fastify hook. */
import type { onRequestAsyncHookHandler } from 'fastify';
import { createRateLimit, type RateLimitOptions } from '../../server/rate-limit.ts';
import { failureOf, failureResponse, logFailure } from '../../server/server-failure.ts';

/**
 * A budget of `points` requests per `durationSeconds` and client (`request.ip`, the forwarded
 * client's under trustProxy; or `key`), as an onRequest hook for an app or a route:
 * `app.addHook('onRequest', rateLimit({ points: 100, durationSeconds: 60, backend: { redis } }))`.
 * Every answer carries RateLimit and RateLimit-Policy; past the budget, 429 `rate_limited` with
 * Retry-After. A backend that fails is a 503 problem+json.
 */
export function rateLimit(options: RateLimitOptions): onRequestAsyncHookHandler {
  const limit = createRateLimit(options);
  return async (request, reply) => {
    let refusal: Response;
    try {
      const decision = await limit.take({
        method: request.method,
        target: request.url,
        clientAddress: request.ip,
        header: (name) => {
          const value = request.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : value;
        },
      });
      reply.headers(decision.headers);
      if (decision.allowed) return;
      refusal = decision.response;
    } catch (error) {
      const failure = failureOf(error, 'rate limit');
      logFailure(failure);
      refusal = failureResponse(failure);
    }
    return reply
      .code(refusal.status)
      .headers(Object.fromEntries(refusal.headers))
      .send(Buffer.from(await refusal.arrayBuffer()));
  };
}
