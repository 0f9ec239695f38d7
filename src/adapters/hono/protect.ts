/** protect(): the guard as Hono middleware; the principal is `c.get('auth')`. */
import type { MiddlewareHandler } from 'hono';
import { invalidArgument } from '../../http/argument-error.ts';
import { isPending, whenSettled } from '../../http/maybe-promise.ts';
import type { Decision, Guard } from '../../server/guard.ts';
import { actOn, type DecisionActions } from '../shared/decision-action.ts';
import { decideFor, type MiddlewareCall } from './guard-decision.ts';
import type { ProtectOptions } from './protect-options.ts';
import type { GatehouseEnv } from './variables.ts';

/**
 * The guard as middleware, for one route or a group: `app.use('/api/*', protect(guard))`.
 * The principal is `c.get('auth')`.
 */
export function protect(guard: Guard, options: ProtectOptions = {}): MiddlewareHandler<GatehouseEnv> {
  if (typeof options === 'function')
    throw invalidArgument(
      'gatehouse/hono: protect(guard, { permission }) is middleware; to guard a handler, use protectHandler(guard, handler)',
    );
  const actions: DecisionActions<MiddlewareCall, ReturnType<MiddlewareHandler>> = {
    serve({ c, next }, principal, answerHeaders) {
      c.set('auth', principal);
      if (!answerHeaders) return next();
      return next().then(() => {
        for (const [name, value] of answerHeaders) c.header(name, value);
      });
    },
    answer: (_call, response) => Promise.resolve(response),
  };
  // Not an async function: a recently verified credential goes on to next() with no promise of
  // ours, and the closure that waits is made only for a decision that waits (see isPending).
  const actLater = (decision: PromiseLike<Decision>, call: MiddlewareCall) =>
    whenSettled(decision, (settled) => actOn(guard, call.c.req.raw, settled, call, actions));
  return (c, next) => {
    const decision = decideFor(guard, c, options);
    const call: MiddlewareCall = { c, next };
    return isPending(decision) ? actLater(decision, call) : actOn(guard, c.req.raw, decision, call, actions);
  };
}
