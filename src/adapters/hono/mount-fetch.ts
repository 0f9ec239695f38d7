/** A fetch-style handler (the authorization server's) as Hono middleware. */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../../server/server-failure.ts';
import { schemeMismatch } from '../shared/node-url.ts';
import { clientAddressOf } from './client-address.ts';

/**
 * Mounts a fetch-style handler (the authorization server's): `app.use(mountFetch(server.handle))`.
 * The handler reads the body itself (the authorization server within its own limit); a handler
 * that fails is answered 5xx problem+json, with one line through `onError`.
 * `ip(c)` gives the client's address where clientAddressOf cannot (see ProtectOptions.clientAddress).
 * On @hono/node-server, a request whose URL's scheme is not its connection's (an absolute-form
 * `https://…` target on a plain-http listener) is answered 400 request_invalid before the handler.
 */
export function mountFetch(
  handler: (request: Request, info: { ip?: string }) => Promise<Response | undefined>,
  options: { ip?: (c: Context) => string | undefined; onError?: OnError } = {},
): MiddlewareHandler {
  return async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const mismatch = incoming?.socket ? schemeMismatch(c.req.url, incoming) : undefined;
    if (mismatch !== undefined) return problemResponse('request_invalid', mismatch);
    const ip = options.ip ? options.ip(c) : clientAddressOf(c);
    let response: Response | undefined;
    try {
      response = await handler(c.req.raw, ip ? { ip } : {});
    } catch (error) {
      const failure = failureOf(error, 'fetch handler');
      report(options.onError, failure);
      return failureResponse(failure);
    }
    if (response) return response;
    await next();
    return undefined;
  };
}
