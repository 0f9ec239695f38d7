/** preflight(): CORS preflights answered from the guard's policy, before Hono's 404 to OPTIONS. */
import type { MiddlewareHandler } from 'hono';
import type { Guard } from '../../server/guard.ts';
import { preflightAnswer } from '../shared/decision-action.ts';

/**
 * Answers every CORS preflight from the guard's `cors` policy, before any route:
 * `app.use('*', preflight(guard))` (or `app.options('*', preflight(guard))`). Hono answers 404 to
 * OPTIONS for a route mounted with `app.get`, so without this the guard never sees its preflights.
 * Other requests go on.
 */
export function preflight(guard: Guard): MiddlewareHandler {
  return (c, next) => {
    const answer = preflightAnswer(guard, c.req.raw);
    return answer ? Promise.resolve(answer) : next();
  };
}
