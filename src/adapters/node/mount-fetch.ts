/** The fetch-style handler (the authorization server's) as a node:http listener. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FetchHandler, type FetchMountOptions, mountBodyLimit } from '../shared/fetch-mount.ts';
import { readBody } from '../shared/node-body.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';
import { toWebRequest } from '../shared/node-web-request.ts';
import { sendWebResponse } from '../shared/node-web-response.ts';

/**
 * The fetch-style handler (the authorization server's) as a node:http listener. It never rejects:
 * a bad Host is 400, a body past the limit 413, a handler that fails 5xx problem+json.
 */
export function mountFetch(
  handler: FetchHandler,
  options: FetchMountOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = mountBodyLimit(handler, options);
  return async (req, res) => {
    try {
      const body = req.method !== 'GET' && req.method !== 'HEAD' ? await readBody(req, limit) : undefined;
      const ip = req.socket.remoteAddress;
      const response = await handler(toWebRequest(req, body), ip ? { ip } : {});
      await sendWebResponse(
        res,
        response ??
          new Response(JSON.stringify({ error: 'not_found' }), {
            status: 404,
            headers: { 'content-type': 'application/json' },
          }),
      );
    } catch (error) {
      await answerFailure(req, res, error, 'fetch handler', options.onError);
    }
  };
}
