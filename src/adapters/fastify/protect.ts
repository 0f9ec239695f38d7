/** protect(): the guard as a Fastify route's preHandler. */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from 'fastify';
import { isPending, whenSettled } from '../../http/maybe-promise.ts';
import type { AuthenticateOptions, Decision, Guard } from '../../server/guard.ts';
import type { Permission } from '../../server/permissions.ts';
import type { RequestView } from '../../server/request-view.ts';
import { actOn, type DecisionActions } from '../shared/decision-action.ts';
import { authorizationLines } from '../shared/node-authorization.ts';
import { toRequestView } from '../shared/node-request-view.ts';

/** The arguments of one preHandler call, as actOn() hands them to the actions below. */
interface HookCall {
  request: FastifyRequest;
  reply: FastifyReply;
  done: HookHandlerDoneFunction;
}

const actions: DecisionActions<HookCall, void> = {
  serve({ request, reply, done }, principal, answerHeaders) {
    request.auth = principal;
    if (answerHeaders) for (const [name, value] of answerHeaders) reply.header(name, value);
    done();
  },
  answer({ reply, done }, response) {
    // Answered from the hook: Fastify's callback style sends the reply and does not call done().
    reply.code(response.status);
    for (const [name, value] of response.headers) reply.header(name, value);
    response.arrayBuffer().then(
      (body) => reply.send(Buffer.from(body)),
      (error: unknown) => done(error as Error),
    );
  },
};

/**
 * The route's preHandler: `{ preHandler: protect(guard, { permission }) }`, or for a whole
 * scope `app.addHook('preHandler', protect(guard))`. It guards whichever methods the route
 * answers, OPTIONS included; a CORS preflight is answered here and the handler never runs. A
 * callback-style hook, not an async one: a recently verified credential goes on with `done()`
 * and no promise.
 */
export function protect(guard: Guard, options: { permission?: Permission } = {}): preHandlerHookHandler {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // request.headers, not request.raw.headers: a hook may have given the request a new headers
    // object, which Fastify merges over the parsed one, and the handler will read that.
    const headers = request.headers;
    const opts: AuthenticateOptions = { authorization: authorizationLines(request.raw, headers) };
    if (options.permission) opts.permission = options.permission;
    if (request.rawBody) opts.body = request.rawBody;
    // Fastify's request.ip (the forwarded client's under trustProxy, else the socket's), as mountFetch uses.
    if (request.ip) opts.clientAddress = request.ip;
    const view = toRequestView(request.raw, undefined, headers);
    const decision = guard.decide(view, opts);
    const call: HookCall = { request, reply, done };
    if (isPending(decision)) actLater(guard, view, decision, call);
    else actOn(guard, view, decision, call, actions);
  };
}

// The closures that wait are made only for a decision that waits (see isPending). guard.decide()
// never rejects; a failure to act goes to done(error), as Fastify expects of a callback hook.
function actLater(guard: Guard, view: RequestView, decision: PromiseLike<Decision>, call: HookCall): void {
  whenSettled(
    decision,
    (settled) => actOn(guard, view, settled, call, actions),
    (error) => call.done(error as Error),
  );
}
