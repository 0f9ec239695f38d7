/**
 * `gatehouse/fastify`: a Fastify 5 plugin that decorates `request.auth`, and a preHandler per
 * route. For signed requests the plugin keeps the raw body (a preParsing hook) so the guard can
 * check it while Fastify still parses the body as usual.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthenticateOptions, Guard } from '../server/guard.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import { authorizationLines, type FetchHandler, readBody, toRequestView, toWebRequest } from './node.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Principal;
    rawBody?: Buffer;
  }
}

/** Register once: `await app.register(gatehousePlugin, { guard })`. */
export async function gatehousePlugin(app: FastifyInstance, options: { guard: Guard }): Promise<void> {
  app.decorateRequest('auth', undefined);
  app.decorateRequest('rawBody', undefined);
  if (options.guard.needsBody) {
    app.addHook('preParsing', async (request, _reply, payload) => {
      request.rawBody = await readBody(payload as unknown as import('node:http').IncomingMessage);
      return Readable.from([request.rawBody]);
    });
  }
}
// Fastify reads this to let the decorations reach the whole app (fastify-plugin's job).
(gatehousePlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

/** The route's preHandler: `{ preHandler: guardHandler(guard, { permission }) }`. */
export function guardHandler(guard: Guard, options: { permission?: Permission } = {}): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const opts: AuthenticateOptions = { authorization: authorizationLines(request.raw) };
    if (options.permission) opts.permission = options.permission;
    if (request.rawBody) opts.body = request.rawBody;
    const decision = await guard.authenticate(toRequestView(request.raw), opts);
    if (decision.outcome === 'refused') {
      const response = guard.refuse(decision.refusal);
      reply.code(response.status);
      for (const [name, value] of response.headers) reply.header(name, value);
      return reply.send(Buffer.from(await response.arrayBuffer()));
    }
    if (decision.outcome === 'authenticated') request.auth = decision.principal;
  };
}

/**
 * Mounts a fetch-style handler (the authorization server's) at the given paths, with the raw
 * form body it needs: `await app.register(fetchRoutes, { handler: server.handle, paths: Object.values(server.paths) })`.
 */
export async function fetchRoutes(
  app: FastifyInstance,
  options: { handler: FetchHandler; paths: readonly string[] },
): Promise<void> {
  // Keep form bodies raw: the handler parses them itself.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  for (const url of options.paths) {
    app.route({
      method: ['GET', 'POST'],
      url,
      handler: async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : undefined;
        const response = await options.handler(toWebRequest(request.raw, body), { ip: request.ip });
        if (!response) return reply.code(404).send({ error: 'not_found' });
        reply.code(response.status);
        for (const [name, value] of response.headers) reply.header(name, value);
        return reply.send(Buffer.from(await response.arrayBuffer()));
      },
    });
  }
}
