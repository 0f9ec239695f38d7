/**
 * `gatehouse/express`: Express 5 middleware. The principal is `req.auth`. For signed requests
 * the guard needs the raw body: it uses `req.rawBody` (set it in express.json's `verify`) or a
 * Buffer `req.body` (express.raw), and otherwise reads the stream itself and leaves the bytes
 * in `req.rawBody` and `req.body`.
 */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import { type MaybePromise, whenSettled } from '../http/maybe-promise.ts';
import type { AuthenticateOptions, Guard } from '../server/guard.ts';
import { beginIdempotent } from '../server/idempotency/begin-idempotent.ts';
import { captureResponse, idempotencyKey, sendStored } from '../server/idempotency/node-response-capture.ts';
import type { IdempotencyOptions } from '../server/idempotency/options.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../server/request-limits.ts';
import { actOn, type DecisionActions, preflightAnswer } from './decision-action.ts';
import {
  answerFailure,
  type FetchHandler,
  type FetchMountOptions,
  mountBodyLimit,
  readBody,
  sendWebResponse,
  toRequestView,
  toWebRequest,
} from './node.ts';
import { authorizationLines } from './node-authorization.ts';

declare global {
  namespace Express {
    interface Request {
      /** The verified principal, on every request that authenticate() let through. */
      auth?: Principal;
      rawBody?: Buffer;
    }
  }
}

interface Exchange {
  req: ExpressRequest;
  res: ExpressResponse;
  next: NextFunction;
}

const actions: DecisionActions<Exchange, MaybePromise<void>> = {
  serve({ req, res, next }, principal, allowance) {
    req.auth = principal;
    if (allowance) for (const [name, value] of allowance) res.setHeader(name, value);
    next();
  },
  answer: ({ res }, response) => sendWebResponse(res, response),
};

/**
 * The guard as middleware, for one route or all: `app.get('/me', authenticate(guard), handler)`,
 * `app.use(authenticate(guard))`. A CORS preflight is answered here and goes no further.
 */
export function authenticate(guard: Guard, options: { permission?: Permission } = {}) {
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

/**
 * Answers every CORS preflight from the guard's `cors` policy, before any route: `app.use(preflight(guard))`
 * (or `app.options('*splat', preflight(guard))`). Express answers OPTIONS itself for a route
 * mounted with `app.get`, so without this the guard never sees its preflights. Other requests go on.
 */
export function preflight(guard: Guard) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const answer = preflightAnswer(guard, toRequestView(req));
      if (answer) await sendWebResponse(res, answer);
      else next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Mounts a fetch-style handler (the authorization server's) as middleware:
 * `app.use(fetchMiddleware(server.handle))`. A bad Host is 400, a body past `maxBodyBytes` 413,
 * a handler that fails 5xx problem+json with one line through `onError`.
 */
export function fetchMiddleware(handler: FetchHandler, options: FetchMountOptions = {}) {
  const limit = mountBodyLimit(handler, options);
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    let response: Response | undefined;
    try {
      const body =
        req.method === 'GET' || req.method === 'HEAD'
          ? undefined
          : Buffer.isBuffer(req.rawBody)
            ? req.rawBody
            : await readBody(req, limit);
      response = await handler(toWebRequest(req, body), req.ip ? { ip: req.ip } : {});
      if (response) await sendWebResponse(res, response);
    } catch (error) {
      return await answerFailure(req, res, error, 'fetch handler', options.onError);
    }
    if (!response) next();
  };
}

/**
 * The idempotency ledger as middleware, after `authenticate` (keys are then kept per principal)
 * and after a body parser if there is one: `app.post('/orders', authenticate(guard),
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
