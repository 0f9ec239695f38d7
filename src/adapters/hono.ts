/**
 * `gatehouse/hono`: Hono 4 middleware (`honoGuard`) and a guarded handler (`honoProtect`). Hono
 * already speaks Web Request and Response; the principal is `c.get('auth')`.
 */

import type { IncomingMessage } from 'node:http';
import type { Context, Handler, MiddlewareHandler, Next } from 'hono';
import { type MaybePromise, whenSettled } from '../http/maybe-promise.ts';
import type { AuthenticateOptions, Decision, Guard } from '../server/guard.ts';
import { beginIdempotent } from '../server/idempotency/begin-idempotent.ts';
import type { IdempotencyOptions } from '../server/idempotency/options.ts';
import { fromStoredResponse, toStoredResponse } from '../server/idempotency/stored-response.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, readLimited } from '../server/request-limits.ts';
import type { RequestView } from '../server/scheme.ts';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../server/server-failure.ts';
import { actOn, allowed, type DecisionActions, preflightAnswer } from './decision-action.ts';
import { authorizationLines, NO_LINES } from './node-authorization.ts';

/** `auth` is set, to a principal, on every request the guard lets through; undefined where no guard ran. */
export type GatehouseVariables = { auth: Principal | undefined };

type GatehouseEnv = { Variables: GatehouseVariables };

/**
 * The client's address on @hono/node-server (its socket's, as its `getConnInfo` reads it); undefined
 * elsewhere. How another runtime says who is asking is its own (`getConnInfo` from `hono/bun`,
 * `hono/deno`, …), so there the app passes a `clientAddress(c)` option; so does an app behind a
 * reverse proxy, reading the header that proxy sets. Without an address, login protection counts
 * per username alone (see createLoginProtection).
 */
export function clientAddressOf(c: Context): string | undefined {
  type Bindings = { incoming?: { socket?: { remoteAddress?: string } } };
  const env = c.env as (Bindings & { server?: Bindings }) | undefined;
  return (env?.server ?? env)?.incoming?.socket?.remoteAddress;
}

/** Options of honoGuard and honoProtect. */
export interface HonoGuardOptions {
  permission?: Permission;
  /**
   * The client's address, for login protection. @default clientAddressOf (the socket's on @hono/node-server)
   * @example import { getConnInfo } from 'hono/bun'; honoGuard(guard, { clientAddress: (c) => getConnInfo(c).remote.address })
   */
  clientAddress?: (c: Context) => string | undefined;
}

interface Exchange {
  c: Context<GatehouseEnv>;
  next: Next;
}

/**
 * The guard's decision for a Hono request (a promise only where a step waited), on the Request
 * Hono's context holds: an earlier middleware may have set, replaced or removed its Authorization,
 * or replaced the Request, and the guard judges what the handler will see, in-process and on
 * @hono/node-server alike. (On @hono/node-server that Request reads Node's parsed headers until
 * someone changes them, so this costs no Web Request.)
 */
function decideFor(guard: Guard, c: Context<GatehouseEnv>, options: HonoGuardOptions): MaybePromise<Decision> {
  const opts: AuthenticateOptions = options.permission ? { permission: options.permission } : {};
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  // @hono/node-server's Request URL is parsed, dot segments resolved: the target as received is
  // Node's (signed requests compare it exactly).
  const request: RequestView =
    typeof incoming?.url === 'string' ? new TargetedRequest(c.req.raw, incoming.url) : c.req.raw;
  const field = c.req.raw.headers.get('authorization');
  // Node keeps only the first of repeated Authorization fields: while the Request still carries
  // the one the client sent, the raw lines tell whether there were more (answered 400).
  opts.authorization =
    field === null
      ? NO_LINES
      : field === incoming?.headers?.authorization && Array.isArray(incoming.rawHeaders)
        ? authorizationLines(incoming)
        : field;
  const address = (options.clientAddress ?? clientAddressOf)(c);
  if (address) opts.clientAddress = address;
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
export function honoGuard(guard: Guard, options: HonoGuardOptions = {}): MiddlewareHandler<GatehouseEnv> {
  const actions: DecisionActions<Exchange, ReturnType<MiddlewareHandler>> = {
    serve({ c, next }, principal, allowance) {
      c.set('auth', principal);
      if (!allowance) return next();
      return next().then(() => {
        for (const [name, value] of allowance) c.header(name, value);
      });
    },
    answer: (_exchange, response) => Promise.resolve(response),
  };
  // Not an async function: a recently verified credential goes on to next() with no promise of ours.
  return (c, next) => {
    return whenSettled(decideFor(guard, c, options), (decision) =>
      actOn(guard, c.req.raw, decision, { c, next }, actions),
    );
  };
}

/**
 * The guard around one route's handler, with the same decisions as honoGuard:
 * `app.get('/me', honoProtect(guard, (c) => c.json({ id: c.get('auth')?.id })))`.
 * As a route's only handler it spares Hono its middleware composition (a `next()` and its promise
 * per request), so a cached credential reaches the handler with no promise of ours; honoGuard
 * stays the way to guard a group of routes.
 */
export function honoProtect(
  guard: Guard,
  handler: Handler<GatehouseEnv>,
  options: HonoGuardOptions = {},
): Handler<GatehouseEnv> {
  // A cached credential reaches the handler at once, and its Response goes back as it is: with a
  // Response rather than a promise, @hono/node-server writes it without waiting.
  const actions: DecisionActions<Exchange, ReturnType<Handler<GatehouseEnv>>> = {
    serve({ c, next }, principal, allowance) {
      c.set('auth', principal);
      const result = handler(c, next);
      if (!allowance) return result;
      return result instanceof Response
        ? allowed(result, allowance)
        : Promise.resolve(result).then((response) =>
            response instanceof Response ? allowed(response, allowance) : response,
          );
    },
    answer: (_exchange, response) => response,
  };
  return (c, next) => {
    return whenSettled(decideFor(guard, c, options), (decision) =>
      actOn(guard, c.req.raw, decision, { c, next }, actions),
    );
  };
}

/**
 * Answers every CORS preflight from the guard's `cors` policy, before any route:
 * `app.use('*', preflight(guard))` (or `app.options('*', preflight(guard))`). Hono answers 404 to
 * OPTIONS for a route mounted with `app.get`, so without this the guard never sees its preflights.
 * Other requests go on.
 */
export function preflight(guard: Guard): MiddlewareHandler {
  return (c, next) => {
    const answer = preflightAnswer(guard, c.req.raw);
    return answer ? Promise.resolve(answer) : next();
  };
}

/**
 * Mounts a fetch-style handler (the authorization server's): `app.use(fetchHandler(server.handle))`.
 * The handler reads the body itself (the authorization server within its own limit); a handler
 * that fails is answered 5xx problem+json, with one line through `onError`.
 * `ip(c)` gives the client's address where clientAddressOf cannot (see HonoGuardOptions.clientAddress).
 */
export function fetchHandler(
  handler: (request: Request, info: { ip?: string }) => Promise<Response | undefined>,
  options: { ip?: (c: Context) => string | undefined; onError?: OnError } = {},
): MiddlewareHandler {
  return async (c, next) => {
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

/**
 * The idempotency ledger as middleware, after `honoGuard` so keys are kept per principal:
 * `app.post('/orders', honoGuard(guard), idempotency({ ledger: store.idempotency }), createOrder)`.
 * A POST (or PATCH) with an Idempotency-Key runs once; a repeat is answered from the ledger,
 * 409 while the first runs, 422 for the key with another body; a handler that throws releases
 * the key (Hono answers it with a 5xx).
 */
export function idempotency(options: IdempotencyOptions): MiddlewareHandler<{ Variables: GatehouseVariables }> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const start = await beginIdempotent(options, {
      method: c.req.method,
      target: `${url.pathname}${url.search}`,
      key: c.req.header('idempotency-key') ?? null,
      principal: c.get('auth'),
      // A copy: the handler reads the body as usual. Counted while it streams.
      body: () =>
        readLimited(
          c.req.raw.clone().body,
          options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
          c.req.header('content-length'),
        ),
    }).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError)
        return problemResponse(error.refusal.reason, error.refusal.detail!, { connection: 'close' });
      throw error;
    });
    if (start instanceof Response) return start;
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
