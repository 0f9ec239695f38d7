/** JSON as httpbin's Flask writes it: keys sorted, two-space indent, a final newline; inert in a browser. */
import type { Context } from 'hono';
import { inertJson } from '../inert-answers.ts';

/** Sorted keys, as Flask's jsonify wrote them. */
export function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export function httpbinJson(c: Context, body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return c.body(`${inertJson(sorted(body), 2)}\n`, status as 200, {
    'content-type': 'application/json',
    ...headers,
  });
}
