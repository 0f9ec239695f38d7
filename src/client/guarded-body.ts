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
 * Makes a broken connection while the body is read fail with a BodyCutError rather than
 * undici's bare `TypeError: terminated`, whichever way the caller reads: `json()` and the other
 * readers, `body` as a stream, or a `clone()`. Aborts by the caller pass through as they are.
 *
 * The same Response object comes back with a subclass's prototype (its `url`, `type` and
 * internals stay the network's): the readers get a catch, and `body` is wrapped only when someone
 * asks for it. Wrapping every body in a new stream instead cost about 15 % of requests/s in the
 * client benchmark, and patching each response's methods about 7 %. Every response gets the
 * prototype, one without a body too (its readers read nothing): looking at `body` and `type` first
 * cost two getters on every response to spare the rare one. The change itself costs about 2 µs a response
 * under load (measured: own reader properties would be nearly free, but `body` as an own
 * accessor costs a third of it and the response would show seven own enumerable properties).
 */
export function guardBody(response: Response, context: BodyContext): Response {
  (response as GuardedResponse)[CONTEXT] = context;
  return Object.setPrototypeOf(response, GuardedResponse.prototype) as Response;
}

const CONTEXT = Symbol('gatehouse.body-context');
const STREAM = Symbol('gatehouse.guarded-stream');

/** Response with readers that name a broken connection; the network's Response, given this prototype. */
class GuardedResponse extends Response {
  declare [CONTEXT]: BodyContext;
  declare [STREAM]: ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined;

  cut(cause: unknown, receivedBytes: number | undefined): BodyCutError {
    const context = this[CONTEXT];
    return new BodyCutError({
      method: context.method,
      url: context.url,
      status: this.status,
      receivedBytes,
      expectedBytes: announcedLength(this),
      resendSafe: context.resendSafe,
      cause,
    });
  }

  private guard<T>(reading: Promise<T>): Promise<T> {
    return reading.catch((error: unknown) => {
      throw isCut(error) ? this.cut(error, undefined) : error;
    });
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.guard(super.arrayBuffer());
  }
  override blob(): Promise<Blob> {
    return this.guard(super.blob());
  }
  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.guard(super.bytes());
  }
  override formData(): Promise<FormData> {
    return this.guard(super.formData());
  }
  override json(): Promise<unknown> {
    return this.guard(super.json());
  }
  override text(): Promise<string> {
    return this.guard(super.text());
  }
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this[STREAM] === undefined) {
      const source = super.body;
      this[STREAM] = source === null ? null : guardStream(source, (cause, bytes) => this.cut(cause, bytes));
    }
    return this[STREAM];
  }
  override clone(): Response {
    return guardBody(super.clone(), this[CONTEXT]);
  }
}

function guardStream(
  source: ReadableStream<Uint8Array<ArrayBuffer>>,
  cut: (cause: unknown, receivedBytes: number) => BodyCutError,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  const reader = source.getReader();
  let received = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      try {
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
      return reader.cancel(reason);
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
