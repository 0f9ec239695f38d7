/** A Node request as a Web Request, for a fetch-style handler (the authorization server's). */
import type { IncomingMessage } from 'node:http';
import { RequestInvalidError } from '../../server/request-limits.ts';
import { authorizationLines } from './node-authorization.ts';
import { readRequestUrl } from './node-url.ts';

/**
 * Builds a Web Request with the headers of a Node request (the body only when given): the
 * headers the app holds now (`req.headers`, or the framework's own view), since a middleware
 * may have set, replaced or deleted one, and Authorization read as the guard reads it, so that
 * a field the client repeated stays repeated. Throws RequestInvalidError when the Host or the
 * target cannot make a URL, or the target's scheme is not the connection's (answer it 400 with
 * `answerFailure`).
 */
export function toWebRequest(
  req: IncomingMessage,
  body?: Uint8Array,
  current: IncomingMessage['headers'] = req.headers,
): Request {
  const url = readRequestUrl(req);
  if ('problem' in url) throw new RequestInvalidError(url.problem);
  const headers = new Headers();
  const append = (name: string, value: unknown) => {
    try {
      headers.append(name, String(value));
    } catch {
      // A name or value fetch refuses (set by JavaScript, or past Node's parser): leave it out.
    }
  };
  for (const name of Object.keys(current)) {
    const value: unknown = current[name];
    if (value === undefined || value === null || name.toLowerCase() === 'authorization') continue;
    if (Array.isArray(value)) for (const item of value) append(name, item);
    else append(name, value);
  }
  // Repeated lines are appended as they came: the Request holds them joined, as the client sent them.
  const authorization = authorizationLines(req, current);
  if (typeof authorization === 'string') append('authorization', authorization);
  else for (const line of authorization) append('authorization', line);
  const method = req.method ?? 'GET';
  const init: RequestInit = { method, headers };
  if (body && method !== 'GET' && method !== 'HEAD') init.body = body as Uint8Array<ArrayBuffer>;
  return new Request(url.href, init);
}
