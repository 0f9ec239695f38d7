import type { OutgoingRequest } from './outgoing-request.ts';

/** What actually sends: `fetch` or anything with its shape. */
export type Transport = (request: Request) => Promise<Response>;

/** fetch's own signature: a URL and an init. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Marks a transport that takes fetch's (url, init) as the client builds them, like the platform's
 * fetch itself, so no Request object is built for it (undiciTransport() carries it).
 */
export const DIRECT_TRANSPORT = Symbol.for('gatehouse.transport.direct');

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

// Requests in flight, held strongly: undici's fetch(new Request(…, { signal })) follows the signal
// through a weak reference that the garbage collector may clear while the request is in flight,
// and then an abort (a timeout, the caller's signal) never arrives. Holding the Request keeps it.
const inFlight = new Set<Request>();

export function transportSend(transport: Transport): Send {
  // The platform's fetch takes the URL and init directly: one Request fewer to build and clone.
  const direct =
    transport === globalThis.fetch || (transport as unknown as Record<symbol, unknown>)[DIRECT_TRANSPORT] === true;
  // Not async: the transport's own promise goes back as it is (an async wrapper would cost a
  // promise and microtask turns per send). A throw before sending still becomes a rejection.
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
      if (!direct) return sendHeld(transport, new Request(request.url, init));
      return (transport as unknown as FetchLike)(request.url, init);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** Sends a Request through a transport, holding it until the answer (see inFlight). */
export async function sendHeld(transport: Transport, request: Request): Promise<Response> {
  inFlight.add(request);
  try {
    return await transport(request);
  } finally {
    inFlight.delete(request);
  }
}

/** Lets go of a response we will not read, so its connection returns to the pool. */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to free.
  }
}
