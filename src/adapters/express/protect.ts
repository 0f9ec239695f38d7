/** protect(): the guard as Express middleware; the principal is `req.auth`. */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import { isPending, type MaybePromise, whenSettled } from '../../http/maybe-promise.ts';
import type { AuthenticateOptions, Decision, Guard } from '../../server/guard.ts';
import type { Permission } from '../../server/permissions.ts';
import type { Principal } from '../../server/principal.ts';
import type { RequestView } from '../../server/request-view.ts';
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
 * `app.use(protect(guard))`. A CORS preflight is answered here and goes no further. Not an async
 * function: a recently verified credential goes on to next() with no promise of ours; a failure
 * of any step, at once or later, goes to next(error).
 */
export function protect(
  guard: Guard,
  options: { permission?: Permission } = {},
): (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => void | Promise<void> {
  return (req, res, next) => {
    let opts: AuthenticateOptions;
    try {
      opts = { authorization: authorizationLines(req) };
      if (options.permission) opts.permission = options.permission;
    } catch (error) {
      return next(error);
    }
    // A scheme that verifies the body waits for it; nothing else does.
    if (guard.needsBody) return withBody(guard, opts, req, res, next);
    return decideAndAct(guard, opts, req, res, next);
  };
}

async function withBody(
  guard: Guard,
  opts: AuthenticateOptions,
  req: ExpressRequest,
  res: ExpressResponse,
  next: NextFunction,
): Promise<void> {
  try {
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
  } catch (error) {
    return next(error);
  }
  return decideAndAct(guard, opts, req, res, next);
}

/** The decision acted on: at once when it is there; whatever throws or rejects goes to next(error). */
function decideAndAct(
  guard: Guard,
  opts: AuthenticateOptions,
  req: ExpressRequest,
  res: ExpressResponse,
  next: NextFunction,
): MaybePromise<void> {
  try {
    const view = toRequestView(req);
    const decision = guard.decide(view, opts);
    const call: MiddlewareCall = { req, res, next };
    const acted = isPending(decision)
      ? actLater(guard, view, decision, call)
      : actOn(guard, view, decision, call, actions);
    return isPending(acted) ? failuresToNext(acted, next) : acted;
  } catch (error) {
    return next(error);
  }
}

// Closures made only where something waits, in functions of their own (see isPending).
function actLater(guard: Guard, view: RequestView, decision: PromiseLike<Decision>, call: MiddlewareCall) {
  return whenSettled(decision, (settled) => actOn(guard, view, settled, call, actions));
}

function failuresToNext(acted: PromiseLike<void>, next: NextFunction): Promise<void> {
  return whenSettled(
    acted,
    () => undefined,
    (error) => next(error),
  );
}
