/** The auth stage: runs the strategy's flow for one attempt, where credentials are allowed. */
import { type AuthContext, type AuthStrategy, MAX_AUTH_SENDS, oneSendOf } from './auth-flow.ts';
import { copyRequest, type OutgoingRequest } from './outgoing-request.ts';
import { discard, type Send, type SendContext } from './transport.ts';

/** Why the flow stopped short of what it asked for, kept for the error message. */
export const authNotes = new WeakMap<Response, string>();

/**
 * The request (credentials applied) that drew a response that is not ok: its credentials are
 * the secrets an HttpError scrubs from what the server said. Kept only for those responses.
 */
export const sentFor = new WeakMap<Response, OutgoingRequest>();

export function authStage(
  strategy: AuthStrategy | undefined,
  reportRefresh: AuthContext['reportRefresh'],
  next: Send,
): Send {
  if (!strategy) return next;
  // Not async: it hands back runFlow's promise (or the next stage's) as it is.
  return (request, context) => {
    // Credentials belong to an origin: after a redirect elsewhere, send none.
    if (!request.credentialsAllowed) return next(request, context);
    try {
      const copy = copyRequest(request);
      // A flow that changes the request and sends it once (oneSendStrategy): the same change and
      // send, and what runFlow does with its one response, without running the generator.
      const apply = oneSendOf(strategy);
      if (apply !== undefined) {
        apply(copy);
        return next(copy, context).then((response) => keepSent(response, copy));
      }
      const flow = strategy.flow(copy, { signal: context.signal, reportRefresh });
      return runFlow(flow, context, next, strategy.name);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** A response that is not ok keeps the request that drew it, for the error's scrubbing. */
function keepSent(response: Response, sent: OutgoingRequest): Response {
  if (!response.ok) sentFor.set(response, sent);
  return response;
}

async function runFlow(
  flow: AsyncGenerator<OutgoingRequest, void, Response>,
  context: SendContext,
  next: Send,
  name: string,
): Promise<Response> {
  let step = await flow.next(undefined as unknown as Response);
  let response: Response | undefined;
  let lastSent: OutgoingRequest | undefined;
  let sends = 0;
  while (!step.done) {
    const request = step.value;
    if (response) {
      if (request.body.exhausted) {
        await flow.return();
        authNotes.set(
          response,
          'Not sent again with new credentials: the body was a one-shot ReadableStream (pass body: () => stream to allow it).',
        );
        return response;
      }
      if (sends >= MAX_AUTH_SENDS) {
        await flow.return();
        authNotes.set(response, `The ${name} strategy asked for more than ${MAX_AUTH_SENDS} sends; stopped.`);
        return response;
      }
      await discard(response);
    }
    sends++;
    lastSent = request;
    response = await next(request, context);
    step = await flow.next(response);
  }
  if (!response) throw new TypeError(`the ${name} auth strategy returned without yielding a request to send`);
  return keepSent(response, lastSent!);
}
