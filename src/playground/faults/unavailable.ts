/** An overloaded upstream: /unavailable answers 503 with Retry-After in either form. */
import { Hono } from 'hono';
import { formatHttpDate, PROBLEM_CONTENT_TYPE } from '../../http/index.ts';
import { badParameters, numberParam } from './parameters.ts';

/**
 * An overloaded upstream's 503, which has no reason in the catalogue (it is no refusal of
 * Gatehouse's): a problem of type about:blank, titled with the status phrase (RFC 9457 §4.2.1).
 */
export function serviceUnavailable(retryAfter: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503 }), {
    status: 503,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': retryAfter },
  });
}

export function unavailableRoutes(): Hono {
  const app = new Hono();

  app.get('/unavailable', (c) => {
    const seconds = numberParam(c, 'retry_after', 1, 3600);
    if (seconds === undefined) return badParameters('retry_after is 0–3600 seconds.');
    const value = c.req.query('form') === 'date' ? formatHttpDate(Date.now() + seconds * 1000) : String(seconds);
    return serviceUnavailable(value);
  });
  return app;
}
