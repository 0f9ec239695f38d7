/** idempotency(): the idempotency ledger as a Fastify route's hooks. */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { beginIdempotent } from '../../server/idempotency/begin-idempotent.ts';
import { idempotencyKey } from '../../server/idempotency/node-response-capture.ts';
import type { IdempotencyOptions } from '../../server/idempotency/options.ts';
import type { IdempotentRun } from '../../server/idempotency/start.ts';
import { fromStoredResponse, toStoredResponse } from '../../server/idempotency/stored-response.ts';
import { readBody } from '../shared/node-body.ts';

/** The hooks of the idempotency ledger for one route (or, registered with addHook, a scope). */
export interface IdempotencyHooks {
  preHandler: preHandlerAsyncHookHandler;
  onSend: onSendAsyncHookHandler;
}

/**
 * The idempotency ledger as route hooks, after the guard so keys are kept per principal:
 * `const once = idempotency({ ledger: store.idempotency });
 *  app.post('/orders', { preHandler: [protect(guard), once.preHandler], onSend: once.onSend }, createOrder)`.
 * A POST (or PATCH) with an Idempotency-Key runs once; a repeat is answered from the ledger,
 * 409 while the first runs, 422 for the key with another body. A handler that throws gets
 * Fastify's 5xx, which releases the key.
 */
export function idempotency(options: IdempotencyOptions): IdempotencyHooks {
  const runs = new WeakMap<FastifyRequest, IdempotentRun>();
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
