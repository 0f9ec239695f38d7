/** protectHandler(): the guard around one Hono route's handler. */
import type { Handler } from 'hono';
import { isPending, whenSettled } from '../../http/maybe-promise.ts';
import type { Decision, Guard } from '../../server/guard.ts';
import { actOn, allowed, type DecisionActions } from '../shared/decision-action.ts';
import { decideFor, type MiddlewareCall } from './guard-decision.ts';
import type { ProtectOptions } from './protect-options.ts';
import type { GatehouseEnv } from './variables.ts';

/**
 * The guard around one route's handler, with the same decisions as protect (the middleware):
 * `app.get('/me', protectHandler(guard, (c) => c.json({ id: c.get('auth')?.id })))`.
 * As a route's only handler it spares Hono its middleware composition (a `next()` and its promise
 * per request), so a cached credential reaches the handler with no promise of ours; protect
 * stays the way to guard a group of routes.
 */
export function protectHandler(
  guard: Guard,
  handler: Handler<GatehouseEnv>,
  options: ProtectOptions = {},
): Handler<GatehouseEnv> {
  // A cached credential reaches the handler at once, and its Response goes back as it is: with a
  // Response rather than a promise, @hono/node-server writes it without waiting.
  const actions: DecisionActions<MiddlewareCall, ReturnType<Handler<GatehouseEnv>>> = {
    serve({ c, next }, principal, answerHeaders) {
      c.set('auth', principal);
      const result = handler(c, next);
      if (!answerHeaders) return result;
      return result instanceof Response
        ? allowed(result, answerHeaders)
        : Promise.resolve(result).then((response) =>
            response instanceof Response ? allowed(response, answerHeaders) : response,
          );
    },
    answer: (_call, response) => response,
  };
  // The closure that waits is made only for a decision that waits (see isPending).
  const actLater = (decision: PromiseLike<Decision>, call: MiddlewareCall) =>
    whenSettled(decision, (settled) => actOn(guard, call.c.req.raw, settled, call, actions));
  return (c, next) => {
    const decision = decideFor(guard, c, options);
    const call: MiddlewareCall = { c, next };
    return isPending(decision) ? actLater(decision, call) : actOn(guard, c.req.raw, decision, call, actions);
  };
}
