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
import { SEND_DIRECT, type SendDirect, type Transport } from './transport.ts';
import { appendFields, UndiciResponse } from './undici-response.ts';

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

  /** One send: what both ways of calling the transport come to. */
  const sendParts = (
    url: URL,
    method: string,
    fields: Headers,
    source: BodyInit | null,
    signal: AbortSignal | null,
  ): Promise<Response> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of fields) headers[name] = value;
    const body = requestBody(source, method, headers);
    // Not async: the dispatcher's promise carries on to the response, with no frame of this function kept.
    return (dispatcher ?? getGlobalDispatcher())
      .request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal,
      })
      .then((answer) => responseTo(answer, method));
  };

  const send = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    try {
      if (input instanceof Request)
        throw invalidArgument('undiciTransport: the client passes a URL and init; a Request is not supported here');
      const url = input instanceof URL ? input : new URL(input);
      const method = (init.method ?? 'GET').toUpperCase();
      // A Headers object is read as it is (iterating it yields what iterating a copy would).
      const headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
      return sendParts(url, method, headers, init.body ?? null, init.signal ?? null);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  // The client's transport stage hands its request over as it is (transport.ts, SEND_DIRECT): the
  // same send, without an init object to build and the URL's text to parse again.
  const direct: SendDirect = (url, method, headers, body, signal) => {
    try {
      return sendParts(url, method.toUpperCase(), headers, body as BodyInit | null, signal ?? null);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return Object.assign(send, { [SEND_DIRECT]: direct });
}

/** The Response for undici's answer: no body for HEAD and the null body statuses, else undici's stream. */
function responseTo(answer: Dispatcher.ResponseData, method: string): Response | Promise<Response> {
  const status = answer.statusCode;
  const init = { status, statusText: STATUS_CODES[status] ?? '' };
  if (method === 'HEAD' || NULL_BODY.has(status))
    return answer.body.dump().then(() => {
      const response = new Response(null, init);
      appendFields(response.headers, answer.headers);
      return response;
    });
  return new UndiciResponse(answer.body, init, answer.headers);
}

/**
 * The body as undici takes it, with the Content-Type fetch would have set when the caller set none:
 * strings and bytes as they are; Blob, FormData, URLSearchParams and streams serialized the way
 * fetch serializes them (a multipart boundary, a form encoding), then sent as a stream.
 */
function requestBody(
  body: BodyInit | null,
  method: string,
  headers: Record<string, string>,
): string | Uint8Array | Readable | null {
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
