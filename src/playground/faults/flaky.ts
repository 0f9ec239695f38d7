/** /flaky/:n: fails the first N times per id, with a status or a connection reset, then succeeds. */
import { Hono } from 'hono';
import { ClientKeyedStateFullError, clientKeyedState, fullResponse } from '../client-keyed-state.ts';
import { httpbinJson } from '../httpbin/json.ts';
import { resetConnection } from './connection.ts';
import { badParameters, clientKey, keyTooLong } from './parameters.ts';

/** How long a /flaky id's count is kept after its last request. */
export const FLAKY_KEEP_MS = 600_000; // 10 min

export function flakyRoutes(max: number): Hono {
  const app = new Hono();
  // A count is kept until FLAKY_KEEP_MS after the id's last request.
  const failures = clientKeyedState<number>('flaky ids (/flaky)', max);

  // Fails with ?status (503 by default) or a connection reset (?mode=reset) the first N times per id, then succeeds.
  app.all('/flaky/:n', async (c) => {
    const n = Number(c.req.param('n'));
    if (!Number.isInteger(n) || n < 0 || n > 100) return badParameters('n is a whole number from 0 to 100.');
    const id = clientKey(c, 'id');
    if (id === undefined) return keyTooLong('id');
    const key = `${id}|${c.req.path}`;
    const now = Date.now();
    const seen = failures.get(key, now) ?? 0;
    try {
      failures.hold(key, seen + 1, now + FLAKY_KEEP_MS, now);
    } catch (error) {
      if (error instanceof ClientKeyedStateFullError) return fullResponse(error);
      throw error;
    }
    if (seen < n) {
      if (c.req.query('mode') === 'reset') {
        return resetConnection(c);
      }
      const status = Number(c.req.query('status') ?? 503);
      const retryAfter = c.req.query('retry_after');
      return c.body(
        JSON.stringify({ attempt: seen + 1, failing: true }),
        (status >= 400 && status <= 599 ? status : 503) as 503,
        {
          'content-type': 'application/json',
          ...(retryAfter ? { 'retry-after': retryAfter } : {}),
        },
      );
    }
    return httpbinJson(c, {
      attempt: seen + 1,
      failing: false,
      method: c.req.method,
      body: c.req.method === 'GET' ? '' : await c.req.text(),
    });
  });
  return app;
}
