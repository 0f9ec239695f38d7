/** rateLimit(): a request budget per client in front of a node:http handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRateLimit, type RateLimitOptions } from '../../server/rate-limit.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';
import { sendWebResponse } from '../shared/node-web-response.ts';

/**
 * A budget of `points` requests per `durationSeconds` and client address (or `key`): every answer
 * carries RateLimit and RateLimit-Policy; past the budget, 429 `rate_limited` with Retry-After and
 * the handler is not called. A backend that fails is a 503 problem+json.
 * @example
 * createServer(rateLimit({ points: 100, durationSeconds: 60, backend: { redis } }, handler))
 */
export function rateLimit(
  options: RateLimitOptions,
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = createRateLimit(options);
  return async (req, res) => {
    try {
      const decision = await limit.take({
        method: req.method ?? 'GET',
        target: req.url ?? '/',
        clientAddress: req.socket?.remoteAddress,
        header: (name) => {
          const value = req.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : value;
        },
      });
      if (!decision.allowed) return await sendWebResponse(res, decision.response);
      for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
    } catch (error) {
      return answerFailure(req, res, error, 'rate limit');
    }
    await handler(req, res);
  };
}
