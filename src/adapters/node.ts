/**
 * `gatehouse/node`: the guard in front of a node:http handler. It turns the IncomingMessage
 * into a Web Request for the guard and writes refusals back; nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticateOptions, Guard } from '../server/guard.ts';
import { beginIdempotent, type IdempotencyOptions, type IdempotencyStart } from '../server/idempotency.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import type { RequestView } from '../server/scheme.ts';
import { actOn, type DecisionActions } from './decision-action.ts';
import { captureResponse, idempotencyKey, sendStored } from './node-capture.ts';

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

/** Builds a Web Request with the headers of a Node request (the body only when given). */
export function toWebRequest(req: IncomingMessage, body?: Uint8Array): Request {
  const host = req.headers.host ?? 'localhost';
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    } catch {
      // A header value fetch refuses (it already passed Node's parser): leave it out.
    }
  }
  const method = req.method ?? 'GET';
  const init: RequestInit = { method, headers };
  if (body && method !== 'GET' && method !== 'HEAD') init.body = body as Uint8Array<ArrayBuffer>;
  return new Request(`${secure ? 'https' : 'http'}://${host}${req.url ?? '/'}`, init);
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

  get url(): string {
    if (this.#url === undefined) {
      const req = this.#req;
      const secure = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
      this.#url = `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
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

const NO_LINES: readonly string[] = Object.freeze([]);

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

/**
 * Rethrows a failure unless it means the client went away (a body cut off mid-send, the socket
 * reset): then no one is left to answer, and the listener ends quietly, since a rejected listener
 * promise would be unhandled, which by default takes the whole process down.
 */
function unlessGone(req: IncomingMessage): (error: unknown) => void {
  return (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (!(req.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE')) throw error;
  };
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
    const pending = guard.decide(view, opts);
    return pending instanceof Promise
      ? pending.then((decision) => actOn(guard, view, decision, res, actions))
      : actOn(guard, view, pending, res, actions);
  };
  // Not an async function: a cached credential reaches the handler with no promise at all, and
  // the listener returns whatever the handler returns.
  return (req, res) => {
    const request = req as AuthenticatedRequest;
    if (!guard.needsBody) return decide(request, res);
    return readBody(req).then((body) => {
      request.rawBody = body;
      return decide(request, res, body);
    }, unlessGone(req));
  };
}

/** A fetch-style handler (such as the authorization server's) answered by node:http; undefined answers 404. */
export type FetchHandler = (request: Request, info: { ip?: string }) => Promise<Response | undefined>;

export function serveFetch(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let body: Buffer | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      try {
        body = await readBody(req);
      } catch (error) {
        return unlessGone(req)(error);
      }
    }
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
          request.rawBody ??= await readBody(req);
          return request.rawBody;
        },
      });
    } catch (error) {
      // The body is read before any key is reserved: a client gone mid-body leaves nothing behind.
      return unlessGone(req)(error);
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
