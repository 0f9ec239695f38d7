/**
 * `gatehouse/hono`: Hono 4 middleware. Hono already speaks Web Request and Response; the
 * principal is `c.get('auth')`.
 */

import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthenticateOptions, Decision, Guard } from '../server/guard.ts';
import {
  beginIdempotent,
  fromStoredResponse,
  type IdempotencyOptions,
  toStoredResponse,
} from '../server/idempotency.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import type { RequestView } from '../server/scheme.ts';
import { authorizationLines, toRequestView } from './node.ts';

export type GatehouseVariables = { auth: Principal | undefined };

export function honoGuard(
  guard: Guard,
  options: { permission?: Permission } = {},
): MiddlewareHandler<{ Variables: GatehouseVariables }> {
  // Not an async function: a recently verified credential goes on to next() with no promise of ours.
  return (c, next) => {
    const opts: AuthenticateOptions = options.permission ? { permission: options.permission } : {};
    // On @hono/node-server the Node request is at hand: its parsed headers are far cheaper to read
    // than the Web Request's, which is built on first use. Schemes that read the body need the Request.
    const incoming = guard.needsBody ? undefined : (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    let request: RequestView = c.req.raw;
    if (incoming?.headers && Array.isArray(incoming.rawHeaders)) {
      request = toRequestView(incoming);
      opts.authorization = authorizationLines(incoming);
    }
    const answer = (decision: Decision): ReturnType<MiddlewareHandler> => {
      if (decision.outcome === 'refused') return Promise.resolve(guard.refuse(decision.refusal));
      c.set('auth', decision.outcome === 'authenticated' ? decision.principal : undefined);
      return next();
    };
    const pending = guard.decide(request, opts);
    return pending instanceof Promise ? pending.then(answer) : answer(pending);
  };
}

/** Mounts a fetch-style handler (the authorization server's): `app.use(fetchHandler(server.handle))`. */
export function fetchHandler(
  handler: (request: Request, info: { ip?: string }) => Promise<Response | undefined>,
  options: { ip?: (c: Context) => string | undefined } = {},
): MiddlewareHandler {
  return async (c, next) => {
    const ip = options.ip
      ? options.ip(c)
      : (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
    const response = await handler(c.req.raw, ip ? { ip } : {});
    if (response) return response;
    await next();
    return undefined;
  };
}

/**
 * The idempotency ledger as middleware, after `honoGuard` so keys are kept per principal:
 * `app.post('/orders', honoGuard(guard), idempotency({ ledger: store.idempotency }), createOrder)`.
 * A POST (or PATCH) with an Idempotency-Key runs once; a repeat is answered from the ledger,
 * 409 while the first runs, 422 for the key with another body; a handler that throws releases
 * the key (Hono answers it with a 5xx).
 */
export function idempotency(options: IdempotencyOptions): MiddlewareHandler<{ Variables: GatehouseVariables }> {
  return async (c, next) => {
    const principal = c.get('auth');
    const url = new URL(c.req.url);
    const start = await beginIdempotent(options, {
      method: c.req.method,
      target: `${url.pathname}${url.search}`,
      key: c.req.header('idempotency-key') ?? null,
      ...(principal ? { scope: principal.id } : {}),
      // A copy: the handler reads the body as usual.
      body: async () => new Uint8Array(await c.req.raw.clone().arrayBuffer()),
    });
    if (start.action === 'answer') {
      const { status, headers, body } = fromStoredResponse(start.response);
      return new Response(new Uint8Array(body), { status, headers });
    }
    if (start.action === 'pass') {
      await next();
      return undefined;
    }
    try {
      await next();
    } catch (error) {
      await start.abandon();
      throw error;
    }
    if (c.error) {
      await start.abandon();
      return undefined;
    }
    const response = c.res;
    const bytes = new Uint8Array(await response.arrayBuffer());
    await start.finish(toStoredResponse(response.status, response.headers, bytes)).catch(() => {});
    c.res = new Response(bytes, response);
    return undefined;
  };
}
