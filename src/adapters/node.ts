/**
 * `gatehouse/node`: the guard in front of a node:http handler. It turns the IncomingMessage
 * into a Web Request for the guard and writes refusals back; nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticateOptions, Guard } from '../server/guard.ts';
import { beginIdempotent, type IdempotencyOptions } from '../server/idempotency.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';
import type { RequestView } from '../server/scheme.ts';
import { captureResponse, idempotencyKey, sendStored } from './node-capture.ts';

export interface AuthenticatedRequest extends IncomingMessage {
  /** The verified principal; undefined only for a CORS preflight. */
  auth?: Principal;
  /** The body, when the guard had to read it (signed requests). */
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
 * a Web Request built from them would cost more than the authentication.
 */
export function toRequestView(req: IncomingMessage, body?: Uint8Array): RequestView {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  const headers = req.headers;
  const get = (name: string): string | null => {
    const value = headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    method: req.method ?? 'GET',
    url: `${secure ? 'https' : 'http'}://${headers.host ?? 'localhost'}${req.url ?? '/'}`,
    headers: { get, has: (name) => headers[name.toLowerCase()] !== undefined },
    ...(body ? { clone: () => ({ arrayBuffer: async () => body.slice().buffer as ArrayBuffer }) } : {}),
  };
}

/** Every Authorization line as received: Node keeps only the first in req.headers. */
export function authorizationLines(req: IncomingMessage): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'authorization') lines.push(req.rawHeaders[i + 1]!);
  }
  return lines;
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
 * @example
 * createServer(protect(guard, (req, res) => res.end(`hello ${req.auth?.id}`), { permission: requireScopes('read') }))
 */
export function protect(
  guard: Guard,
  handler: (req: AuthenticatedRequest, res: ServerResponse) => unknown,
  options: ProtectOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const request = req as AuthenticatedRequest;
    const opts: AuthenticateOptions = { authorization: authorizationLines(req) };
    if (options.permission) opts.permission = options.permission;
    if (guard.needsBody) {
      request.rawBody = await readBody(req);
      opts.body = request.rawBody;
    }
    // Awaited only when a step waited: a cached token costs no promise.
    const pending = guard.decide(toRequestView(req), opts);
    const decision = pending instanceof Promise ? await pending : pending;
    if (decision.outcome === 'refused') return sendWebResponse(res, guard.refuse(decision.refusal));
    if (decision.outcome === 'authenticated') request.auth = decision.principal;
    await handler(request, res);
  };
}

/** A fetch-style handler (such as the authorization server's) answered by node:http; undefined answers 404. */
export type FetchHandler = (request: Request, info: { ip?: string }) => Promise<Response | undefined>;

export function serveFetch(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
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
  handler: (req: AuthenticatedRequest, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const request = req as AuthenticatedRequest;
    const start = await beginIdempotent(options, {
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      key: idempotencyKey(req),
      ...(request.auth ? { scope: request.auth.id } : {}),
      body: async () => {
        request.rawBody ??= await readBody(req);
        return request.rawBody;
      },
    });
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
