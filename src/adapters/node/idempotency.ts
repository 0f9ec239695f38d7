/** idempotency(): the idempotency ledger in front of a node:http handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { beginIdempotent } from '../../server/idempotency/begin-idempotent.ts';
import { captureResponse, idempotencyKey, sendStored } from '../../server/idempotency/node-response-capture.ts';
import type { IdempotencyOptions } from '../../server/idempotency/options.ts';
import type { IdempotencyStart } from '../../server/idempotency/start.ts';
import type { Principal } from '../../server/principal.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../server/request-limits.ts';
import { readBody } from '../shared/node-body.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';

/** A request before the idempotency ledger's handler: the principal is there when protect() ran first. */
export interface LedgerRequest extends IncomingMessage {
  auth?: Principal;
  rawBody?: Buffer;
}

/**
 * The idempotency ledger in front of a handler: a POST (or PATCH) with an Idempotency-Key runs
 * once; a repeat is answered from the ledger (`Idempotent-Replayed: true`), a repeat while the
 * first runs gets 409, the key with another body 422. Keys are kept per principal when the guard
 * ran first. The body is read here and handed on in `req.rawBody`.
 * @example
 * createServer(protect(guard, idempotency({ ledger: store.idempotency }, createOrder)))
 */
export function idempotency(
  options: IdempotencyOptions,
  handler: (req: LedgerRequest, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const request = req as LedgerRequest;
    let start: IdempotencyStart;
    try {
      start = await beginIdempotent(options, {
        method: req.method ?? 'GET',
        target: req.url ?? '/',
        key: idempotencyKey(req.headers),
        principal: request.auth,
        body: async () => {
          request.rawBody ??= await readBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
          return request.rawBody;
        },
      });
    } catch (error) {
      // The body is read before any key is reserved: a client gone mid-body leaves nothing behind.
      return answerFailure(req, res, error, 'idempotency ledger');
    }
    if (start.action === 'answer') return sendStored(res, start.response);
    if (start.action === 'run') captureResponse(res, start);
    try {
      await handler(request, res);
    } catch (error) {
      if (start.action === 'run' && !res.writableEnded) await start.abandon();
      throw error;
    }
  };
}
