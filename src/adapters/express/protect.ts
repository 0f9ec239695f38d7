/** protect(): the guard as Express middleware; the principal is `req.auth`. */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import { type MaybePromise, whenSettled } from '../../http/maybe-promise.ts';
import type { AuthenticateOptions, Guard } from '../../server/guard.ts';
import type { Permission } from '../../server/permissions.ts';
import type { Principal } from '../../server/principal.ts';
import { actOn, type DecisionActions } from '../shared/decision-action.ts';
import { authorizationLines } from '../shared/node-authorization.ts';
import { readBody } from '../shared/node-body.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';
import { toRequestView } from '../shared/node-request-view.ts';
import { sendWebResponse } from '../shared/node-web-response.ts';

declare global {
  namespace Express {
    interface Request {
      /** The verified principal, on every request that protect() let through. */
      auth?: Principal;
      rawBody?: Buffer;
    }
  }
}

/** The arguments of one middleware call, as actOn() hands them to the actions below. */
interface MiddlewareCall {
  req: ExpressRequest;
  res: ExpressResponse;
  next: NextFunction;
}

const actions: DecisionActions<MiddlewareCall, MaybePromise<void>> = {
  serve({ req, res, next }, principal, answerHeaders) {
    req.auth = principal;
    if (answerHeaders) for (const [name, value] of answerHeaders) res.setHeader(name, value);
    next();
  },
  answer: ({ res }, response) => sendWebResponse(res, response),
};

/**
 * The guard as middleware, for one route or all: `app.get('/me', protect(guard), handler)`,
 * `app.use(protect(guard))`. A CORS preflight is answered here and goes no further.
 */
export function protect(guard: Guard, options: { permission?: Permission } = {}) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const opts: AuthenticateOptions = { authorization: authorizationLines(req) };
      if (options.permission) opts.permission = options.permission;
      if (guard.needsBody) {
        if (!Buffer.isBuffer(req.rawBody)) {
          if (Buffer.isBuffer(req.body)) req.rawBody = req.body;
          else if (!req.readableEnded && req.body === undefined) {
            try {
              req.rawBody = await readBody(req, guard.maxBodyBytes);
            } catch (error) {
              return await answerFailure(req, res, error, 'body');
            }
            req.body = req.rawBody;
          }
        }
        if (req.rawBody) opts.body = req.rawBody;
      }
      const view = toRequestView(req);
      await whenSettled(guard.decide(view, opts), (decision) =>
        actOn(guard, view, decision, { req, res, next }, actions),
      );
    } catch (error) {
      next(error);
    }
  };
}
