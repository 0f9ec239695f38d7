/**
 * `gatehouse/hono`: Hono 4 middleware (`honoGuard`) and a guarded handler (`honoProtect`). Hono
 * already speaks Web Request and Response; the principal is `c.get('auth')`.
 */

import type { IncomingMessage } from 'node:http';
import type { Context, Handler, MiddlewareHandler } from 'hono';
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

type GatehouseEnv = { Variables: GatehouseVariables };

/** The guard's decision for a Hono request (a promise only where a step waited). */
function decideFor(
  guard: Guard,
  c: Context<GatehouseEnv>,
  permission: Permission | undefined,
): Decision | Promise<Decision> {
  const opts: AuthenticateOptions = permission ? { permission } : {};
  // On @hono/node-server the Node request is at hand: its parsed headers are far cheaper to read
  // than the Web Request's, which is built on first use. Schemes that read the body need the Request.
  const node = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const incoming = guard.needsBody ? undefined : node;
  let request: RequestView = c.req.raw;
  if (incoming?.headers && Array.isArray(incoming.rawHeaders)) {
    request = toRequestView(incoming);
    opts.authorization = authorizationLines(incoming);
  } else if (typeof node?.url === 'string') {
    // @hono/node-server's Request URL is parsed, dot segments resolved: the target as received is Node's.
    request = new TargetedRequest(c.req.raw, node.url);
  }
  return guard.decide(request, opts);
}

/** A Web Request as the guard sees it, with the request-target as received on the wire. */
class TargetedRequest implements RequestView {
  readonly #request: Request;
  readonly target: string;
  constructor(request: Request, target: string) {
    this.#request = request;
    this.target = target;
  }
  get method(): string {
    return this.#request.method;
  }
  get url(): string {
    return this.#request.url;
  }
  get headers(): RequestView['headers'] {
    return this.#request.headers;
  }
  clone(): { arrayBuffer(): Promise<ArrayBuffer> } {
    return this.#request.clone();
  }
}

/**
 * The guard as middleware, for one route or a group: `app.use('/api/*', honoGuard(guard))`.
 * The principal is `c.get('auth')`.
 */
export function honoGuard(guard: Guard, options: { permission?: Permission } = {}): MiddlewareHandler<GatehouseEnv> {
  // Not an async function: a recently verified credential goes on to next() with no promise of ours.
  return (c, next) => {
    const answer = (decision: Decision): ReturnType<MiddlewareHandler> => {
      if (decision.outcome === 'refused') return Promise.resolve(guard.refuse(decision.refusal));
      c.set('auth', decision.outcome === 'authenticated' ? decision.principal : undefined);
      return next();
    };
    const pending = decideFor(guard, c, options.permission);
    return pending instanceof Promise ? pending.then(answer) : answer(pending);
  };
}

/**
 * The guard around one route's handler, with the same decisions as honoGuard:
 * `app.get('/me', honoProtect(guard, (c) => c.json({ id: c.get('auth')?.id })))`.
 * As a route's only handler it spares Hono its middleware composition, which costs a route more
 * than a cached check does (see BENCHMARKS.md); honoGuard stays the way to guard a group of routes.
 */
export function honoProtect(
  guard: Guard,
  handler: Handler<GatehouseEnv>,
  options: { permission?: Permission } = {},
): Handler<GatehouseEnv> {
  // A cached credential reaches the handler at once, and its Response goes back as it is: with a
  // Response rather than a promise, @hono/node-server writes it without waiting.
  return (c, next) => {
    const answer = (decision: Decision): ReturnType<Handler<GatehouseEnv>> => {
      if (decision.outcome === 'refused') return guard.refuse(decision.refusal);
      c.set('auth', decision.outcome === 'authenticated' ? decision.principal : undefined);
      return handler(c, next);
    };
    const pending = decideFor(guard, c, options.permission);
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
