/** What a listener of ours answers when it fails, so that no failure becomes an unhandled rejection. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, RequestInvalidError } from '../../server/request-limits.ts';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../../server/server-failure.ts';
import { refuseBody } from './node-body.ts';
import { sendWebResponse } from './node-web-response.ts';

/**
 * Answers a failure of a listener of ours: 413 for a body past the limit, 400 for a request whose
 * URL cannot be built, nothing for a client that went away, and 5xx problem+json (one log line
 * through `onError`) for anything else, so that no failure becomes an unhandled rejection.
 */
export function answerFailure(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  source: string,
  onError?: OnError,
): Promise<void> | undefined {
  if (error instanceof BodyTooLargeError) {
    refuseBody(req, res, error);
    return undefined;
  }
  const code = (error as { code?: unknown } | null)?.code;
  // The client went away (a body cut off mid-send, the socket reset): no one is left to answer.
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || res.destroyed || req.socket?.destroyed)
    return undefined;
  let response: Response;
  if (error instanceof RequestInvalidError) response = problemResponse('request_invalid', error.message);
  else {
    const failure = failureOf(error, source);
    report(onError, failure);
    response = failureResponse(failure);
  }
  if (res.headersSent) {
    res.destroy();
    return undefined;
  }
  return sendWebResponse(res, response).catch(() => {
    res.destroy();
  });
}
