/**
 * The Authorization lines of a Node request, shared by every adapter that runs on node:http (the
 * node, Express and Fastify adapters, and Hono on @hono/node-server), so none of them imports
 * another adapter to read them.
 */
import type { IncomingMessage } from 'node:http';

export const NO_LINES: readonly string[] = Object.freeze([]);

/**
 * The Authorization field the guard must judge: the one the app's request holds now (`headers`,
 * `req.headers` unless the framework keeps its own view), since a middleware may have set,
 * replaced or deleted it, and the handler will trust what it holds. Node keeps only the first of
 * repeated Authorization lines in req.headers, so the raw lines are read to tell whether the
 * client sent more than one (answered 400); they count only while the app still holds what Node
 * parsed from them. One line, as nearly every request has, is returned as it is: no allocation.
 */
export function authorizationLines(
  req: IncomingMessage,
  headers: IncomingMessage['headers'] = req.headers,
): string | readonly string[] {
  const current: unknown = headers.authorization;
  if (current === undefined || current === null) return NO_LINES;
  // Set by JavaScript that ignored the type: a list is several fields (400), anything else its text.
  if (typeof current !== 'string') return Array.isArray(current) ? (current as string[]) : String(current);
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) return current;
  let first: string | undefined;
  let lines: string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // Compared without a lower-cased copy of every header name.
    if (
      name.length === 13 &&
      (name === 'authorization' || name === 'Authorization' || name.toLowerCase() === 'authorization')
    ) {
      if (first === undefined) first = raw[i + 1]!;
      else if (lines) lines.push(raw[i + 1]!);
      else lines = [first, raw[i + 1]!];
    }
  }
  if (lines === undefined) return current;
  // Repeated by the client: still the app's field if it holds the first line (what Node keeps)
  // or all of them joined (Node's joinDuplicateHeaders); otherwise a middleware's value wins.
  return current === first || current === lines.join(', ') ? lines : current;
}
