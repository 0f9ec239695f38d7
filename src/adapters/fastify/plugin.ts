/** gatehousePlugin: decorates `request.auth`, keeps the raw body for signed requests, answers preflights. */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Guard } from '../../server/guard.ts';
import type { Principal } from '../../server/principal.ts';
import { BodyTooLargeError } from '../../server/request-limits.ts';
import { preflightAnswer } from '../shared/decision-action.ts';
import { readBody, refuseBody } from '../shared/node-body.ts';
import { toRequestView } from '../shared/node-request-view.ts';

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
