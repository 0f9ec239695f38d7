/** preflight(): CORS preflights answered from the guard's policy, before Express's own OPTIONS answer. */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express';
import type { Guard } from '../../server/guard.ts';
import { preflightAnswer } from '../shared/decision-action.ts';
import { toRequestView } from '../shared/node-request-view.ts';
import { sendWebResponse } from '../shared/node-web-response.ts';

/**
 * Answers every CORS preflight from the guard's `cors` policy, before any route: `app.use(preflight(guard))`
 * (or `app.options('*splat', preflight(guard))`). Express answers OPTIONS itself for a route
 * mounted with `app.get`, so without this the guard never sees its preflights. Other requests go on.
 */
export function preflight(guard: Guard) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> => {
    try {
      const answer = preflightAnswer(guard, toRequestView(req));
      if (answer) await sendWebResponse(res, answer);
      else next();
    } catch (error) {
      next(error);
    }
  };
}
