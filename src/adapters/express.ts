/**
 * `gatehouse/express`: Express 5 middleware. The principal is `req.auth`. For signed requests
 * the guard needs the raw body: it uses `req.rawBody` (set it in express.json's `verify`) or a
 * Buffer `req.body` (express.raw), and otherwise reads the stream itself and leaves the bytes
 * in `req.rawBody` and `req.body`.
 */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import type { AuthenticateOptions, Guard } from '../server/guard.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import {
  authorizationLines,
  type FetchHandler,
  readBody,
  sendWebResponse,
  toRequestView,
  toWebRequest,
} from './node.ts';

declare global {
  namespace Express {
    interface Request {
      auth?: Principal;
      rawBody?: Buffer;
    }
  }
}

export function authenticate(guard: Guard, options: { permission?: Permission } = {}) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const opts: AuthenticateOptions = { authorization: authorizationLines(req) };
      if (options.permission) opts.permission = options.permission;
      if (guard.needsBody) {
        if (!Buffer.isBuffer(req.rawBody)) {
          if (Buffer.isBuffer(req.body)) req.rawBody = req.body;
          else if (!req.readableEnded && req.body === undefined) {
            req.rawBody = await readBody(req);
            req.body = req.rawBody;
          }
        }
        if (req.rawBody) opts.body = req.rawBody;
      }
      const decision = await guard.authenticate(toRequestView(req), opts);
      if (decision.outcome === 'refused') return await sendWebResponse(res, guard.refuse(decision.refusal));
      if (decision.outcome === 'authenticated') req.auth = decision.principal;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Mounts a fetch-style handler (the authorization server's) as middleware: `app.use(fetchMiddleware(server.handle))`. */
export function fetchMiddleware(handler: FetchHandler) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const body =
        req.method === 'GET' || req.method === 'HEAD'
          ? undefined
          : Buffer.isBuffer(req.rawBody)
            ? req.rawBody
            : await readBody(req);
      const response = await handler(toWebRequest(req, body), req.ip ? { ip: req.ip } : {});
      if (response) await sendWebResponse(res, response);
      else next();
    } catch (error) {
      next(error);
    }
  };
}
