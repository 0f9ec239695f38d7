/**
 * `gatehouse-http/client/undici`: a transport that sends through an undici Dispatcher (`request()`)
 * instead of `fetch`. The client's pipeline is the same; what changes is the work of each send:
 * fetch implements the whole Fetch standard (a Request object, its stream machinery, CORS
 * bookkeeping) on top of the same dispatcher, and request() does none of it.
 *
 * Node-only (undici is a Node library), and undici is an optional peer dependency.
 * It never follows redirects itself: the client's redirect stage does, hop by hop, so that
 * credentials stay with their origin.
 */
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { type Dispatcher, getGlobalDispatcher } from 'undici';
import { invalidArgument } from '../http/argument-error.ts';
import { serializedLikeFetch, TEXT_CONTENT_TYPE } from './request-body.ts';
import type { Transport } from './transport.ts';

export interface UndiciTransportOptions {
  /** The dispatcher to send through (an `Agent`, a `Pool`, a `ProxyAgent`…). @default undici's global dispatcher */
  dispatcher?: Dispatcher;
}

// Statuses whose responses have no body (Fetch standard, "null body status").
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * @example
 * import { Agent } from 'undici';
 * import { undiciTransport } from 'gatehouse-http/client/undici';
 * const api = createClient({ baseUrl, auth: bearer(source), fetch: undiciTransport({ dispatcher: new Agent({ connections: 64 }) }) });
 */
export function undiciTransport(options: UndiciTransportOptions = {}): Transport {
  if (options === null || typeof options !== 'object')
    throw invalidArgument('undiciTransport(options): options must be an object such as { dispatcher }');
  const { dispatcher } = options;
  if (dispatcher !== undefined && typeof (dispatcher as { request?: unknown })?.request !== 'function')
    throw invalidArgument('undiciTransport: dispatcher must be an undici Dispatcher (an Agent, a Pool, a ProxyAgent…)');

  const send = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request)
      throw invalidArgument('undiciTransport: the client passes a URL and init; a Request is not supported here');
    const url = input instanceof URL ? input : new URL(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    if (init.headers) for (const [name, value] of new Headers(init.headers)) headers[name] = value;
    const body = await requestBody(init.body ?? null, method, headers);
    const answer = await (dispatcher ?? getGlobalDispatcher()).request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      signal: init.signal ?? null,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
      else if (value !== undefined) responseHeaders.append(name, value);
    }
    const status = answer.statusCode;
    let responseBody: BodyInit | null = answer.body as unknown as BodyInit;
    if (method === 'HEAD' || NULL_BODY.has(status)) {
      await answer.body.dump();
      responseBody = null;
    }
    return new Response(responseBody, { status, statusText: STATUS_CODES[status] ?? '', headers: responseHeaders });
  };
  return send;
}

/**
 * The body as undici takes it, with the Content-Type fetch would have set when the caller set none:
 * strings and bytes as they are; Blob, FormData, URLSearchParams and streams serialized the way
 * fetch serializes them (a multipart boundary, a form encoding), then sent as a stream.
 */
async function requestBody(
  body: BodyInit | null,
  method: string,
  headers: Record<string, string>,
): Promise<string | Uint8Array | Readable | null> {
  if (body === null) return null;
  if (method === 'GET' || method === 'HEAD')
    throw invalidArgument(`undiciTransport: a ${method} request cannot have a body`);
  if (typeof body === 'string') {
    headers['content-type'] ??= TEXT_CONTENT_TYPE;
    return body;
  }
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const probe = serializedLikeFetch(body);
  const type = probe.headers.get('content-type');
  if (type !== null) headers['content-type'] ??= type;
  return probe.body ? Readable.fromWeb(probe.body as import('node:stream/web').ReadableStream<Uint8Array>) : null;
}
