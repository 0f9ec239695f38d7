/** A fetch-style handler (the authorization server's) as Express middleware. */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import { type FetchHandler, type FetchMountOptions, mountBodyLimit } from '../shared/fetch-mount.ts';
import { readBody } from '../shared/node-body.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';
import { toWebRequest } from '../shared/node-web-request.ts';
import { sendWebResponse } from '../shared/node-web-response.ts';

/**
 * Mounts a fetch-style handler (the authorization server's) as middleware:
 * `app.use(mountFetch(server.handle))`. A bad Host is 400, a body past `maxBodyBytes` 413,
 * a handler that fails 5xx problem+json with one line through `onError`.
 */
export function mountFetch(handler: FetchHandler, options: FetchMountOptions = {}) {
  const limit = mountBodyLimit(handler, options);
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    let response: Response | undefined;
    try {
      const body =
        req.method === 'GET' || req.method === 'HEAD'
          ? undefined
          : Buffer.isBuffer(req.rawBody)
            ? req.rawBody
            : await readBody(req, limit);
      response = await handler(toWebRequest(req, body), req.ip ? { ip: req.ip } : {});
      if (response) await sendWebResponse(res, response);
    } catch (error) {
      return await answerFailure(req, res, error, 'fetch handler', options.onError);
    }
    if (!response) next();
  };
}
