/** A fetch-style handler (the authorization server's) as Fastify routes. */
import type { FastifyInstance } from 'fastify';
import { RequestInvalidError } from '../../server/request-limits.ts';
import { failureOf, failureResponse, problemResponse, report } from '../../server/server-failure.ts';
import { type FetchHandler, type FetchMountOptions, mountBodyLimit } from '../shared/fetch-mount.ts';
import { toWebRequest } from '../shared/node-web-request.ts';

/**
 * Mounts a fetch-style handler (the authorization server's) at the given paths, with the raw
 * form body it needs: `await app.register(mountFetch, { handler: server.handle, paths: Object.values(server.paths) })`.
 */
export async function mountFetch(
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
      // OPTIONS: a CORS preflight reaches the handler, which answers it from its cors policy.
      method: ['GET', 'POST', 'OPTIONS'],
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
