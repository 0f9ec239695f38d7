/** protect(): the guard in front of a node:http handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidArgument } from '../../http/argument-error.ts';
import { isPending, whenSettled } from '../../http/maybe-promise.ts';
import type { AuthenticateOptions, Decision, Guard } from '../../server/guard.ts';
import type { Permission } from '../../server/permissions.ts';
import type { Principal } from '../../server/principal.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../server/request-limits.ts';
import type { RequestView } from '../../server/request-view.ts';
import { actOn, type DecisionActions } from '../shared/decision-action.ts';
import { authorizationLines } from '../shared/node-authorization.ts';
import { readBody } from '../shared/node-body.ts';
import { answerFailure } from '../shared/node-failure-answer.ts';
import { toRequestView } from '../shared/node-request-view.ts';
import { sendWebResponse } from '../shared/node-web-response.ts';

export interface AuthenticatedRequest extends IncomingMessage {
  /** The verified principal: protect() runs its handler with nothing else (a preflight it answers itself). */
  auth: Principal;
  /** The body, when the guard had to read it (signed requests). */
  rawBody?: Buffer;
}

export interface ProtectOptions {
  permission?: Permission;
}

/**
 * The guard in front of a handler. The listener returns what the handler returns, or a promise of
 * it when a step had to wait (a first sight of a token, a store lookup, a body to read): a
 * request whose credentials were verified recently costs no promise.
 * @example
 * createServer(protect(guard, (req, res) => res.end(`hello ${req.auth.id}`), { permission: requireScopes('read') }))
 */
export function protect(
  guard: Guard,
  handler: (req: AuthenticatedRequest, res: ServerResponse) => unknown,
  options: ProtectOptions = {},
): (req: IncomingMessage, res: ServerResponse) => unknown {
  // Checked here, not at the first request, where a throw would end the process.
  if (typeof handler !== 'function')
    throw invalidArgument(
      'gatehouse/node: protect(guard, handler, { permission }) takes the handler second; the options go third',
    );
  // The response is the context: it knows its request (res.req), so no object per request.
  const actions: DecisionActions<ServerResponse, unknown> = {
    serve(res, principal, answerHeaders) {
      const request = res.req as AuthenticatedRequest;
      request.auth = principal;
      if (answerHeaders) for (const [name, value] of answerHeaders) res.setHeader(name, value);
      return handler(request, res);
    },
    answer: sendWebResponse,
  };
  const actLater = (view: RequestView, decision: PromiseLike<Decision>, res: ServerResponse): Promise<unknown> =>
    whenSettled(decision, (settled) => actOn(guard, view, settled, res, actions));
  const decide = (request: AuthenticatedRequest, res: ServerResponse, body?: Buffer): unknown => {
    const opts: AuthenticateOptions = { authorization: authorizationLines(request) };
    if (options.permission) opts.permission = options.permission;
    if (body) opts.body = body;
    const view = toRequestView(request);
    const decision = guard.decide(view, opts);
    // A decision that is there is acted on at once; the closure that waits is made only for one that is not.
    return isPending(decision) ? actLater(view, decision, res) : actOn(guard, view, decision, res, actions);
  };
  // Not an async function: a cached credential reaches the handler with no promise at all, and
  // the listener returns whatever the handler returns.
  return (req, res) => {
    const request = req as AuthenticatedRequest;
    if (!guard.needsBody) return decide(request, res);
    return readBody(req, guard.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES).then(
      (body) => {
        request.rawBody = body;
        return decide(request, res, body);
      },
      (error: unknown) => answerFailure(req, res, error, 'body'),
    );
  };
}
