/** idempotency(): the idempotency ledger as Express middleware. */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import { beginIdempotent } from '../../server/idempotency/begin-idempotent.ts';
import { captureResponse, idempotencyKey, sendStored } from '../../server/idempotency/node-response-capture.ts';
import type { IdempotencyOptions } from '../../server/idempotency/options.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../server/request-limits.ts';
import { readBody } from '../shared/node-body.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';

/**
 * The idempotency ledger as middleware, after `protect` (keys are then kept per principal)
 * and after a body parser if there is one: `app.post('/orders', protect(guard),
 * idempotency({ ledger: store.idempotency }), createOrder)`. A POST (or PATCH) with an
 * Idempotency-Key runs once; a repeat is answered from the ledger, 409 while the first runs,
 * 422 for the key with another body. Without a body parser the bytes are read here and left in
 * `req.rawBody` and `req.body`.
 */
export function idempotency(options: IdempotencyOptions) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const start = await beginIdempotent(options, {
        method: req.method,
        target: req.originalUrl,
        key: idempotencyKey(req.headers),
        principal: req.auth,
        body: async () => {
          if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
          if (Buffer.isBuffer(req.body) || typeof req.body === 'string') return req.body;
          // Parsed already (express.json, urlencoded): the parsed value stands for the bytes.
          if (req.body !== undefined || req.readableEnded) return JSON.stringify(req.body ?? null);
          req.rawBody = await readBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
          req.body = req.rawBody;
          return req.rawBody;
        },
      }).catch(async (error: unknown) => {
        await answerFailure(req, res, error, 'idempotency ledger');
        return undefined;
      });
      if (!start) return;
      if (start.action === 'answer') return sendStored(res, start.response);
      // A handler that fails is answered by Express with a 5xx, which releases the key.
      if (start.action === 'run') captureResponse(res, start);
      next();
    } catch (error) {
      next(error);
    }
  };
}
