import { BodyCutError } from './errors/body-cut-error.ts';
import { systemErrorCode } from './errors/network-error.ts';

export interface BodyContext {
  readonly method: string;
  /** The URL as messages show it (secrets masked); a getter may work it out only if the body is cut. */
  readonly url: string;
  /** Whether the retry policy counts the request safe to send again. */
  readonly resendSafe: boolean;
}

/**
 * Makes a broken connection while the body is read fail with a BodyCutError rather than a bare
 * `TypeError: terminated`, whichever way the caller reads: `json()` and the other readers, `body`
 * as a stream, or a `clone()`. Aborts by the caller pass through as they are. Works for the
 * Response of any fetch: the platform's, undici's from npm, a subclass, a polyfill.
 *
 * Invariant relied on: the response's own class defines its readers, `body` and `clone` on its
 * prototype chain (as the Fetch standard's Body mixin does), and each works when called on the
 * response itself. So the same Response object comes back with one prototype put between it and
 * its own class's prototype (made once per class, cached): each guard calls the class's own method
 * on the response itself, so whatever private state that implementation keeps is read by that
 * implementation alone; nothing here reads or assumes another implementation's internals. (A
 * class of another implementation put under the response would be called on an object it did
 * not make: undici's Response then fails with "Cannot read private member #state".) A reader the
 * class does not define there, or a response that cannot be extended (frozen), is left as it is:
 * it works, only a cut is reported untyped. Every response of the client passes here, so per
 * response there is one property set, one WeakMap look-up and one prototype swap: no method is
 * copied, and a stream is wrapped only when the caller reads `body` as one.
 */
export function guardBody(response: Response, context: BodyContext): Response {
  if (!Object.isExtensible(response)) return response;
  (response as Guarded)[CONTEXT] = context;
  const own = Object.getPrototypeOf(response) as object | null;
  if (own === null || GUARDS.has(own)) return response;
  let guarded = GUARDED.get(own);
  if (guarded === undefined) {
    guarded = guardedPrototype(own);
    GUARDED.set(own, guarded);
    GUARDS.add(guarded);
  }
  Object.setPrototypeOf(response, guarded);
  return response;
}

const CONTEXT = Symbol('gatehouse.body-context');
const STREAM = Symbol('gatehouse.guarded-stream');
// A class's prototype → the guarding prototype made for it; and the guarding prototypes themselves.
const GUARDED = new WeakMap<object, object>();
const GUARDS = new WeakSet<object>();
const READERS = ['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text'] as const;

interface Guarded extends Response {
  [CONTEXT]: BodyContext;
  [STREAM]: ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined;
}

/** A prototype over `base` whose readers, `body` and `clone` are `base`'s own, guarded. */
function guardedPrototype(base: object): object {
  const members: PropertyDescriptorMap = {};
  for (const name of READERS) {
    const read = lookup(base, name)?.value;
    if (typeof read !== 'function') continue;
    members[name] = {
      configurable: true,
      writable: true,
      value: function guardedRead(this: Guarded) {
        return (read.call(this) as Promise<unknown>).catch((error: unknown) => {
          throw isCut(error) ? cut(this, error, undefined) : error;
        });
      },
    };
  }
  const body = lookup(base, 'body')?.get;
  if (body !== undefined) {
    members['body'] = {
      configurable: true,
      get(this: Guarded) {
        if (this[STREAM] === undefined) {
          const source = body.call(this) as ReadableStream<Uint8Array<ArrayBuffer>> | null;
          // A body already read (or being read) has nothing left to guard: it is given as it is,
          // locked, as the platform gives it after text().
          if (source === null || source.locked) return source;
          this[STREAM] = guardStream(source, (cause, bytes) => cut(this, cause, bytes));
        }
        return this[STREAM];
      },
    };
  }
  const clone = lookup(base, 'clone')?.value;
  if (typeof clone === 'function') {
    members['clone'] = {
      configurable: true,
      writable: true,
      value: function guardedClone(this: Guarded) {
        return guardBody(clone.call(this) as Response, this[CONTEXT]);
      },
    };
  }
  return Object.create(base, members);
}

/** The property `name` as the prototype chain from `target` defines it. */
function lookup(target: object | null, name: string): PropertyDescriptor | undefined {
  for (let at = target; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(at, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

function cut(response: Guarded, cause: unknown, receivedBytes: number | undefined): BodyCutError {
  const context = response[CONTEXT];
  return new BodyCutError({
    method: context.method,
    url: context.url,
    status: response.status,
    receivedBytes,
    expectedBytes: announcedLength(response),
    resendSafe: context.resendSafe,
    cause,
  });
}

function guardStream(
  source: ReadableStream<Uint8Array<ArrayBuffer>>,
  cut: (cause: unknown, receivedBytes: number) => BodyCutError,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  // The source is locked at the first read, not before: looking at `body` and then calling
  // text() reads the body, as it does on the platform's Response.
  let reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>> | undefined;
  let received = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      try {
        reader ??= source.getReader();
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        received += value.byteLength;
        controller.enqueue(value);
      } catch (error) {
        controller.error(isCut(error) ? cut(error, received) : error);
      }
    },
    cancel(reason) {
      return reader === undefined ? source.cancel(reason) : reader.cancel(reason);
    },
  });
}

function announcedLength(response: Response): number | undefined {
  const header = response.headers.get('content-length');
  if (header === null || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}

// How undici's request() (undiciTransport) says the connection broke mid-body; fetch says 'terminated'.
const UNDICI_CUT = new Set(['UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

/** A broken connection, as opposed to the caller's own abort or a body that is not valid JSON. */
function isCut(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === 'AbortError' || error.name === 'TimeoutError') return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.message === 'terminated' ||
    systemErrorCode(error) !== undefined ||
    (typeof code === 'string' && UNDICI_CUT.has(code))
  );
}
