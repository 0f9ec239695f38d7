/**
 * `gatehouse/node`: the guard in front of a node:http handler. It turns the IncomingMessage
 * into a Web Request for the guard and writes refusals back; nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { whenSettled } from '../http/maybe-promise.ts';
import type { AuthenticateOptions, Guard } from '../server/guard.ts';
import { beginIdempotent } from '../server/idempotency/begin-idempotent.ts';
import { captureResponse, idempotencyKey, sendStored } from '../server/idempotency/node-response-capture.ts';
import type { IdempotencyOptions } from '../server/idempotency/options.ts';
import type { IdempotencyStart } from '../server/idempotency/start.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, RequestInvalidError } from '../server/request-limits.ts';
import type { RequestView } from '../server/scheme.ts';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../server/server-failure.ts';
import { actOn, type DecisionActions } from './decision-action.ts';
import { authorizationLines } from './node-authorization.ts';
import { readBody, refuseBody } from './node-body.ts';
import { requestUrl } from './node-url.ts';

export { authorizationLines } from './node-authorization.ts';
export { readBody, refuseBody } from './node-body.ts';
export { requestUrl } from './node-url.ts';

export interface AuthenticatedRequest extends IncomingMessage {
  /** The verified principal: protect() runs its handler with nothing else (a preflight it answers itself). */
  auth: Principal;
  /** The body, when the guard had to read it (signed requests). */
  rawBody?: Buffer;
}

/** A request before the idempotency ledger's handler: the principal is there when protect() ran first. */
export interface LedgerRequest extends IncomingMessage {
  auth?: Principal;
  rawBody?: Buffer;
}

export interface ProtectOptions {
  permission?: Permission;
}

/**
 * Builds a Web Request with the headers of a Node request (the body only when given): the
 * headers the app holds now (`req.headers`, or the framework's own view), since a middleware
 * may have set, replaced or deleted one, and Authorization read as the guard reads it, so that
 * a field the client repeated stays repeated. Throws RequestInvalidError when the Host or the
 * target cannot make a URL (answer it 400 with `answerFailure`).
 */
export function toWebRequest(
  req: IncomingMessage,
  body?: Uint8Array,
  current: IncomingMessage['headers'] = req.headers,
): Request {
  const url = requestUrl(req);
  if (url === undefined) throw new RequestInvalidError('The Host header is not a valid authority (host or host:port).');
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
  return new Request(url, init);
}

/**
 * A light view of a Node request for the guard: node:http has parsed the headers already, and
 * a Web Request built from them would cost more than the authentication. Methods on a class,
 * not closures per request, and the URL put together only if a scheme asks for it.
 */
class NodeRequestView implements RequestView {
  readonly method: string;
  readonly headers: RequestView['headers'];
  declare readonly clone?: NonNullable<RequestView['clone']>;
  readonly #req: IncomingMessage;
  #url: string | undefined;

  constructor(req: IncomingMessage, body?: Uint8Array, headers: IncomingMessage['headers'] = req.headers) {
    this.#req = req;
    this.method = req.method ?? 'GET';
    this.headers = new NodeHeadersView(headers);
    if (body) this.clone = () => ({ arrayBuffer: async () => body.slice().buffer as ArrayBuffer });
  }

  /** Express's req.ip where there is one (it honours `trust proxy`), else the socket's address. */
  get clientAddress(): string | undefined {
    const req = this.#req as IncomingMessage & { ip?: unknown };
    return typeof req.ip === 'string' ? req.ip : req.socket?.remoteAddress;
  }

  /**
   * The request-target as received: node:http leaves req.url as it came, but a router that
   * rewrites it for a mount (Express, connect) or a rewriteUrl (Fastify) keeps it in originalUrl.
   */
  get target(): string {
    const original = (this.#req as { originalUrl?: unknown }).originalUrl;
    return typeof original === 'string' ? original : (this.#req.url ?? '/');
  }

  /** Throws RequestInvalidError for a Host that is not an authority; the guard answers it 400. */
  get url(): string {
    if (this.#url === undefined) {
      const url = requestUrl(this.#req);
      if (url === undefined)
        throw new RequestInvalidError('The Host header is not a valid authority (host or host:port).');
      this.#url = url;
    }
    return this.#url;
  }
}

class NodeHeadersView {
  readonly #headers: IncomingMessage['headers'];

  constructor(headers: IncomingMessage['headers']) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }
}

/**
 * The guard's view of a Node request. Its headers are the app's current ones (`req.headers`, or
 * the framework's own view when it keeps one, as Fastify's request.headers), so a field a
 * middleware set, replaced or deleted is judged as the handler will see it.
 */
export function toRequestView(
  req: IncomingMessage,
  body?: Uint8Array,
  headers: IncomingMessage['headers'] = req.headers,
): RequestView {
  return new NodeRequestView(req, body, headers);
}

/**
 * Answers a failure of a listener of ours: 413 for a body past the limit, 400 for a request whose
 * URL cannot be built, nothing for a client that went away, and 5xx problem+json (one log line
 * through `onError`) for anything else, so that no failure becomes an unhandled rejection.
 */
export function answerFailure(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  source: string,
  onError?: OnError,
): Promise<void> | undefined {
  if (error instanceof BodyTooLargeError) {
    refuseBody(req, res, error);
    return undefined;
  }
  const code = (error as { code?: unknown } | null)?.code;
  // The client went away (a body cut off mid-send, the socket reset): no one is left to answer.
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || res.destroyed || req.socket?.destroyed)
    return undefined;
  let response: Response;
  if (error instanceof RequestInvalidError) response = problemResponse('request_invalid', error.message);
  else {
    const failure = failureOf(error, source);
    report(onError, failure);
    response = failureResponse(failure);
  }
  if (res.headersSent) {
    res.destroy();
    return undefined;
  }
  return sendWebResponse(res, response).catch(() => {
    res.destroy();
  });
}

/** Writes a Web Response to a Node response. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * The guard in front of a handler. The listener returns what the handler returns, or a promise of
 * it when a step had to wait (a first sight of a token, a store lookup, a body to read): a
 * request whose credentials were verified recently costs no promise.
 * @example
 * createServer(protect(guard, (req, res) => res.end(`hello ${req.auth.id}`), { permission: requireScopes('read') }))
 */
export function protect(
  guard: Guard,
  handler: (req: AuthenticatedRequest, res: ServerResponse) => unknown,
  options: ProtectOptions = {},
): (req: IncomingMessage, res: ServerResponse) => unknown {
  // The response is the context: it knows its request (res.req), so no object per request.
  const actions: DecisionActions<ServerResponse, unknown> = {
    serve(res, principal, allowance) {
      const request = res.req as AuthenticatedRequest;
      request.auth = principal;
      if (allowance) for (const [name, value] of allowance) res.setHeader(name, value);
      return handler(request, res);
    },
    answer: sendWebResponse,
  };
  const decide = (request: AuthenticatedRequest, res: ServerResponse, body?: Buffer): unknown => {
    const opts: AuthenticateOptions = { authorization: authorizationLines(request) };
    if (options.permission) opts.permission = options.permission;
    if (body) opts.body = body;
    const view = toRequestView(request);
    return whenSettled(guard.decide(view, opts), (decision) => actOn(guard, view, decision, res, actions));
  };
  // Not an async function: a cached credential reaches the handler with no promise at all, and
  // the listener returns whatever the handler returns.
  return (req, res) => {
    const request = req as AuthenticatedRequest;
    if (!guard.needsBody) return decide(request, res);
    return readBody(req, guard.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES).then(
      (body) => {
        request.rawBody = body;
        return decide(request, res, body);
      },
      (error: unknown) => answerFailure(req, res, error, 'body'),
    );
  };
}

/**
 * A fetch-style handler (such as the authorization server's); undefined answers 404. One that
 * declares `maxBodyBytes` reads no more of a body than that, and the mounts hold no more for it.
 */
export type FetchHandler = ((request: Request, info: { ip?: string }) => Promise<Response | undefined>) & {
  readonly maxBodyBytes?: number;
};

/**
 * How much of a body a mount reads for its handler: the smaller of the mount's limit (1 MiB by
 * default) and the handler's own, so a body the handler would refuse is refused while it streams.
 */
export function mountBodyLimit(handler: FetchHandler, options: FetchMountOptions): number {
  return Math.min(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, handler.maxBodyBytes ?? Number.POSITIVE_INFINITY);
}

/** Options of the fetch-style mounts (serveFetch, Express fetchMiddleware, Fastify fetchRoutes, Hono fetchHandler). */
export interface FetchMountOptions {
  /** The largest body read for the handler; larger is 413 body_too_large. @default 1_048_576 */
  maxBodyBytes?: number;
  /** Sees a failure of the handler, answered 500 internal_error or 503 store_unavailable. @default one line on stderr */
  onError?: OnError;
}

/**
 * The fetch-style handler (the authorization server's) as a node:http listener. It never rejects:
 * a bad Host is 400, a body past the limit 413, a handler that fails 5xx problem+json.
 */
export function serveFetch(
  handler: FetchHandler,
  options: FetchMountOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = mountBodyLimit(handler, options);
  return async (req, res) => {
    try {
      const body = req.method !== 'GET' && req.method !== 'HEAD' ? await readBody(req, limit) : undefined;
      const ip = req.socket.remoteAddress;
      const response = await handler(toWebRequest(req, body), ip ? { ip } : {});
      await sendWebResponse(
        res,
        response ??
          new Response(JSON.stringify({ error: 'not_found' }), {
            status: 404,
            headers: { 'content-type': 'application/json' },
          }),
      );
    } catch (error) {
      await answerFailure(req, res, error, 'fetch handler', options.onError);
    }
  };
}

/**
 * The idempotency ledger in front of a handler: a POST (or PATCH) with an Idempotency-Key runs
 * once; a repeat is answered from the ledger (`Idempotent-Replayed: true`), a repeat while the
 * first runs gets 409, the key with another body 422. Keys are kept per principal when the guard
 * ran first. The body is read here and handed on in `req.rawBody`.
 * @example
 * createServer(protect(guard, idempotency({ ledger: store.idempotency }, createOrder)))
 */
export function idempotency(
  options: IdempotencyOptions,
  handler: (req: LedgerRequest, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const request = req as LedgerRequest;
    let start: IdempotencyStart;
    try {
      start = await beginIdempotent(options, {
        method: req.method ?? 'GET',
        target: req.url ?? '/',
        key: idempotencyKey(req.headers),
        principal: request.auth,
        body: async () => {
          request.rawBody ??= await readBody(req, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
          return request.rawBody;
        },
      });
    } catch (error) {
      // The body is read before any key is reserved: a client gone mid-body leaves nothing behind.
      return answerFailure(req, res, error, 'idempotency ledger');
    }
    if (start.action === 'answer') return sendStored(res, start.response);
    if (start.action === 'run') captureResponse(res, start);
    try {
      await handler(request, res);
    } catch (error) {
      if (start.action === 'run' && !res.writableEnded) await start.abandon();
      throw error;
    }
  };
}
