/** rateLimit(): a request budget per client as Express middleware. */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import { createRateLimit, type RateLimitOptions } from '../../server/rate-limit.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';
import { sendWebResponse } from '../shared/node-web-response.ts';

/**
 * A budget of `points` requests per `durationSeconds` and client (`req.ip`, which honours
 * `trust proxy`; or `key`): every answer carries RateLimit and RateLimit-Policy; past the budget,
 * 429 `rate_limited` with Retry-After. A backend that fails is a 503 problem+json.
 * @example app.use(rateLimit({ points: 100, durationSeconds: 60, backend: { redis } }))
 */
export function rateLimit(options: RateLimitOptions) {
  const limit = createRateLimit(options);
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const decision = await limit.take({
        method: req.method,
        target: req.originalUrl,
        clientAddress: req.ip ?? req.socket?.remoteAddress,
        header: (name) => req.get(name),
      });
      if (!decision.allowed) return await sendWebResponse(res, decision.response);
      res.set(decision.headers);
    } catch (error) {
      return answerFailure(req, res, error, 'rate limit');
    }
    next();
  };
}
