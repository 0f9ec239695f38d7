import type { OutgoingRequest } from './outgoing-request.ts';

/**
 * What actually sends: `fetch`, or any function with fetch's signature (undici's fetch, a
 * wrapper, a proxying fetch). The client calls it as fetch is called, `transport(url, init)`,
 * never with a Request of its own: another implementation's fetch does not recognise the
 * platform's Request (undici's reads it as the string "[object Request]").
 */
export type Transport = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What each stage passes down for one send. */
export interface SendContext {
  signal: AbortSignal | undefined;
  /** 1-based attempt number of the call. */
  attempt: number;
}

export type Send = (request: OutgoingRequest, context: SendContext) => Promise<Response>;

/**
 * Follows redirects natively only where manual following is impossible: in browsers a manual
 * redirect is an opaque response, and the browser itself drops Authorization across origins.
 */
export const NATIVE_REDIRECTS = typeof (globalThis as { document?: unknown }).document !== 'undefined';

/**
 * A transport's way to take the client's request as it is, beside fetch's signature (undiciTransport
 * has one). Invariant: `direct(url, method, headers, body, signal)` sends exactly what
 * `transport(url.href, { method, headers, body, signal, redirect: 'manual' })` sends and answers
 * the same, so the client may call either.
 */
export const SEND_DIRECT = Symbol('gatehouse.send-direct');

export type SendDirect = (
  url: URL,
  method: string,
  headers: Headers,
  body: RequestInit['body'] | null,
  signal: AbortSignal | undefined,
) => Promise<Response>;

export function transportSend(transport: Transport): Send {
  const direct = (transport as Transport & { [SEND_DIRECT]?: SendDirect })[SEND_DIRECT];
  if (typeof direct === 'function' && !NATIVE_REDIRECTS) {
    return (request, context) => {
      try {
        return direct(request.url, request.method, request.headers, request.body.take(), context.signal);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  // Not async: a send adds no promise of its own, so the caller awaits the transport's promise
  // itself. A throw before sending still becomes a rejection, as it would from an async function.
  return (request, context) => {
    try {
      const body = request.body.take();
      const init: RequestInit & { duplex?: 'half' } = {
        method: request.method,
        headers: request.headers,
        body,
        redirect: NATIVE_REDIRECTS ? 'follow' : 'manual',
      };
      if (context.signal) init.signal = context.signal;
      if (body instanceof ReadableStream) init.duplex = 'half';
      return transport(request.url.href, init);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * A response may say whether it has a header field without making its Headers: undiciTransport's
 * makes them when they are first read. Invariant: `response[HAS_FIELD](name)` is
 * `response.headers.has(name)` for a lower-case name.
 */
export const HAS_FIELD = Symbol('gatehouse.has-field');

/** `response.headers.has(name)` for a lower-case name, asked so that no Headers need be made. */
export function hasField(response: Response, name: string): boolean {
  const has = (response as Response & { [HAS_FIELD]?: (name: string) => boolean })[HAS_FIELD];
  return has === undefined ? response.headers.has(name) : has.call(response, name);
}

/** Lets go of a response we will not read, so its connection returns to the pool. */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to free.
  }
}
