/**
 * `gatehouse/fastify`: a Fastify 5 plugin that decorates `request.auth`, and a preHandler per
 * route. For signed requests the plugin keeps the raw body (a preParsing hook) so the guard can
 * check it while Fastify still parses the body as usual.
 */

import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onSendAsyncHookHandler,
  preHandlerAsyncHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import { whenSettled } from '../http/maybe-promise.ts';
import type { AuthenticateOptions, Guard } from '../server/guard.ts';
import { beginIdempotent } from '../server/idempotency/begin-idempotent.ts';
import { idempotencyKey } from '../server/idempotency/node-response-capture.ts';
import type { IdempotencyOptions } from '../server/idempotency/options.ts';
import type { IdempotencyStart } from '../server/idempotency/start.ts';
import { fromStoredResponse, toStoredResponse } from '../server/idempotency/stored-response.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import { BodyTooLargeError, RequestInvalidError } from '../server/request-limits.ts';
import { failureOf, failureResponse, problemResponse, report } from '../server/server-failure.ts';
import { actOn, type DecisionActions, preflightAnswer } from './decision-action.ts';
import {
  type FetchHandler,
  type FetchMountOptions,
  mountBodyLimit,
  readBody,
  refuseBody,
  toRequestView,
  toWebRequest,
} from './node.ts';
import { authorizationLines } from './node-authorization.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Principal;
    rawBody?: Buffer;
  }
}

/**
 * Register once: `await app.register(gatehousePlugin, { guard })`. With a `cors` policy on the
 * guard it also answers every CORS preflight from it (an onRequest hook, for any path): Fastify
 * has no OPTIONS route for a route mounted with `app.get`, so the route's guard never sees one.
 */
export async function gatehousePlugin(app: FastifyInstance, options: { guard: Guard }): Promise<void> {
  app.decorateRequest('auth', undefined);
  app.decorateRequest('rawBody', undefined);
  const guard = options.guard;
  // Without a policy, preflights are left to the routes' guards or to a CORS plugin such as @fastify/cors.
  if (guard.hasCorsPolicy) {
    app.addHook('onRequest', (request, reply, done) => {
      const answer = preflightAnswer(guard, toRequestView(request.raw, undefined, request.headers));
      if (!answer) return done();
      reply.code(answer.status).headers(Object.fromEntries(answer.headers)).send();
    });
  }
  if (options.guard.needsBody) {
    app.addHook('preParsing', async (request, reply, payload) => {
      try {
        request.rawBody = await readBody(payload as unknown as IncomingMessage, options.guard.maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        // Answered here, 413 from the catalogue, and the connection is no longer read.
        reply.hijack();
        refuseBody(request.raw, reply.raw, error);
        return Readable.from([]);
      }
      return Readable.from([request.rawBody]);
    });
  }
}
// Fastify reads this to let the decorations reach the whole app (fastify-plugin's job).
(gatehousePlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

interface Exchange {
  request: FastifyRequest;
  reply: FastifyReply;
  done: HookHandlerDoneFunction;
}

const actions: DecisionActions<Exchange, void> = {
  serve({ request, reply, done }, principal, allowance) {
    request.auth = principal;
    if (allowance) for (const [name, value] of allowance) reply.header(name, value);
    done();
  },
  answer({ reply, done }, response) {
    // Answered from the hook: Fastify's callback style sends the reply and does not call done().
    reply.code(response.status);
    for (const [name, value] of response.headers) reply.header(name, value);
    response.arrayBuffer().then(
      (body) => reply.send(Buffer.from(body)),
      (error: unknown) => done(error as Error),
    );
  },
};

/**
 * The route's preHandler: `{ preHandler: guardHandler(guard, { permission }) }`, or for a whole
 * scope `app.addHook('preHandler', guardHandler(guard))`. It guards whichever methods the route
 * answers, OPTIONS included; a CORS preflight is answered here and the handler never runs. A
 * callback-style hook, not an async one: a recently verified credential goes on with `done()`
 * and no promise.
 */
export function guardHandler(guard: Guard, options: { permission?: Permission } = {}): preHandlerHookHandler {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // request.headers, not request.raw.headers: a hook may have given the request a new headers
    // object, which Fastify merges over the parsed one, and the handler will read that.
    const headers = request.headers;
    const opts: AuthenticateOptions = { authorization: authorizationLines(request.raw, headers) };
    if (options.permission) opts.permission = options.permission;
    if (request.rawBody) opts.body = request.rawBody;
    // Fastify's request.ip (the forwarded client's under trustProxy, else the socket's), as fetchRoutes uses.
    if (request.ip) opts.clientAddress = request.ip;
    const view = toRequestView(request.raw, undefined, headers);
    whenSettled(
      guard.decide(view, opts),
      (decision) => actOn(guard, view, decision, { request, reply, done }, actions),
      (error) => done(error as Error),
    );
  };
}

/**
 * Mounts a fetch-style handler (the authorization server's) at the given paths, with the raw
 * form body it needs: `await app.register(fetchRoutes, { handler: server.handle, paths: Object.values(server.paths) })`.
 */
export async function fetchRoutes(
  app: FastifyInstance,
  options: { handler: FetchHandler; paths: readonly string[] } & FetchMountOptions,
): Promise<void> {
  // Keep form bodies raw: the handler parses them itself. Fastify counts them while they stream.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: mountBodyLimit(options.handler, options) },
    (_request, body, done) => done(null, body),
  );
  for (const url of options.paths) {
    app.route({
      method: ['GET', 'POST'],
      url,
      handler: async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : undefined;
        let response: Response | undefined;
        try {
          response = await options.handler(toWebRequest(request.raw, body, request.headers), { ip: request.ip });
        } catch (error) {
          if (error instanceof RequestInvalidError) response = problemResponse('request_invalid', error.message);
          else {
            const failure = failureOf(error, 'fetch handler');
            report(options.onError, failure);
            response = failureResponse(failure);
          }
        }
        if (!response) return reply.code(404).send({ error: 'not_found' });
        reply.code(response.status);
        for (const [name, value] of response.headers) reply.header(name, value);
        return reply.send(Buffer.from(await response.arrayBuffer()));
      },
    });
  }
}

/** The hooks of the idempotency ledger for one route (or, registered with addHook, a scope). */
export interface IdempotencyHooks {
  preHandler: preHandlerAsyncHookHandler;
  onSend: onSendAsyncHookHandler;
}

/**
 * The idempotency ledger as route hooks, after the guard so keys are kept per principal:
 * `const once = idempotency({ ledger: store.idempotency });
 *  app.post('/orders', { preHandler: [guardHandler(guard), once.preHandler], onSend: once.onSend }, createOrder)`.
 * A POST (or PATCH) with an Idempotency-Key runs once; a repeat is answered from the ledger,
 * 409 while the first runs, 422 for the key with another body. A handler that throws gets
 * Fastify's 5xx, which releases the key.
 */
export function idempotency(options: IdempotencyOptions): IdempotencyHooks {
  const runs = new WeakMap<FastifyRequest, Extract<IdempotencyStart, { action: 'run' }>>();
  return {
    preHandler: async (request, reply) => {
      const start = await beginIdempotent(options, {
        method: request.method,
        target: request.url,
        // The headers the app holds (a hook may have given the request new ones), as the guard reads.
        key: idempotencyKey(request.headers),
        principal: request.auth,
        body: async () =>
          request.rawBody ??
          (Buffer.isBuffer(request.body) || typeof request.body === 'string'
            ? request.body
            : JSON.stringify(request.body ?? null)),
      });
      if (start.action === 'run') runs.set(request, start);
      if (start.action === 'answer') {
        const { status, headers, body } = fromStoredResponse(start.response);
        return reply.code(status).headers(headers).send(body);
      }
    },
    onSend: async (request, reply, payload) => {
      const run = runs.get(request);
      if (!run) return payload;
      runs.delete(request);
      const bytes =
        payload == null
          ? Buffer.alloc(0)
          : typeof payload === 'string' || Buffer.isBuffer(payload)
            ? Buffer.from(payload)
            : await readBody(payload as IncomingMessage, Number.MAX_SAFE_INTEGER); // our own answer, already bounded
      await run.finish(toStoredResponse(reply.statusCode, Object.entries(reply.getHeaders()), bytes)).catch(() => {}); // sent all the same: a client that has its answer does not send again
      return bytes;
    },
  };
}
