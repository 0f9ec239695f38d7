/** /limited: a fixed budget of requests per window; over it, 429 (or 503) with Retry-After in either form and RateLimit fields. */
import { Hono } from 'hono';
import { createProblem, formatHttpDate, PROBLEM_CONTENT_TYPE } from '../../http/index.ts';
import { ClientKeyedStateFullError, clientKeyedState, fullResponse } from '../client-keyed-state.ts';
import { httpbinJson } from '../httpbin/json.ts';
import { badParameters, clientKey, keyTooLong, numberParam } from './parameters.ts';

export function limitedRoutes(max: number): Hono {
  const app = new Hono();
  // A budget is kept until its window ends.
  const windows = clientKeyedState<{ start: number; used: number }>('rate-limit windows (/limited)', max);

  // A fixed budget of requests per window; over it, 429 (or 503 with ?status=503) with Retry-After.
  app.all('/limited', (c) => {
    const budget = numberParam(c, 'budget', 3, 10_000);
    const windowSeconds = numberParam(c, 'window', 2, 3600);
    const status = c.req.query('status') === '503' ? 503 : 429;
    const form = c.req.query('form') === 'date' ? 'date' : 'seconds';
    if (budget === undefined || windowSeconds === undefined || windowSeconds === 0)
      return badParameters('budget is 0–10000 and window 1–3600 seconds.');
    const chosen = clientKey(c, 'key');
    if (chosen === undefined) return keyTooLong('key');
    const key = `${chosen}|${budget}|${windowSeconds}`;
    const now = Date.now();
    let state = windows.get(key, now);
    if (!state) {
      state = { start: now, used: 0 };
      try {
        windows.hold(key, state, now + windowSeconds * 1000, now);
      } catch (error) {
        if (error instanceof ClientKeyedStateFullError) return fullResponse(error);
        throw error;
      }
    }
    const resetMs = state.start + windowSeconds * 1000 - now;
    const reset = Math.max(1, Math.ceil(resetMs / 1000));
    const headers: Record<string, string> = {
      'ratelimit-policy': `"playground";q=${budget};w=${windowSeconds}`,
      ratelimit: `"playground";r=${Math.max(0, budget - state.used - 1)};t=${reset}`,
    };
    if (state.used >= budget) {
      headers['ratelimit'] = `"playground";r=0;t=${reset}`;
      headers['retry-after'] = form === 'date' ? formatHttpDate(Date.now() + reset * 1000) : String(reset);
      const refusal = createProblem('rate_limited', { detail: `Budget of ${budget} per ${windowSeconds} s used up.` });
      // ?status=503 plays a server that sheds load with 503; the body's status repeats the one
      // sent (RFC 9457 §3.1.2), the rest is the catalogue's.
      return c.body(JSON.stringify({ ...refusal, status }), status as 429, {
        ...headers,
        'content-type': PROBLEM_CONTENT_TYPE,
      });
    }
    state.used++;
    return httpbinJson(c, { ok: true, remaining: budget - state.used }, 200, headers);
  });
  return app;
}
