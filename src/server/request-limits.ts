/**
 * What a request may hold before Gatehouse stops reading it: a body is counted while it streams
 * (the declared Content-Length first), so memory stays bounded whatever a client sends.
 */
import { GatehouseError } from '../http/gatehouse-error.ts';
import type { Refusal } from './refusal.ts';
import type { RequestView } from './request-view.ts';

/** The body limit of the guard and the adapters. @default 1 MiB */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576; // bytes

/** A body larger than the limit: answered 413 body_too_large, and reading stops. */
export class BodyTooLargeError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_BODY_TOO_LARGE';
  declare readonly code: typeof BodyTooLargeError.code;
  readonly limit: number;
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes.`, BodyTooLargeError.code);
    this.limit = limit;
  }
  get refusal(): Refusal {
    return {
      reason: 'body_too_large',
      detail: `The request body is larger than the ${this.limit} bytes this endpoint reads.`,
    };
  }
}

/** A request whose URL cannot be built (a Host that is not an authority): answered 400 request_invalid. */
export class RequestInvalidError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_REQUEST_INVALID';
  declare readonly code: typeof RequestInvalidError.code;
  constructor(message: string) {
    super(message, RequestInvalidError.code);
  }
  get refusal(): Refusal {
    return { reason: 'request_invalid', detail: this.message };
  }
}

/** Whether a declared Content-Length already exceeds the limit. */
export function declaredTooLarge(contentLength: string | null | undefined, limit: number): boolean {
  return contentLength != null && /^\d+$/.test(contentLength.trim()) && Number(contentLength) > limit;
}

/**
 * Reads a Web stream up to `limit` bytes; past it, the stream is cancelled and BodyTooLargeError
 * thrown, so no more than the limit (and one chunk) is ever held.
 */
export async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  contentLength?: string | null,
): Promise<Uint8Array> {
  // Cancelled, not awaited: a branch of a tee (a cloned Request) settles its cancel only once the
  // other branch is cancelled too.
  if (declaredTooLarge(contentLength, limit)) {
    stream?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/**
 * Reads the body of a request's copy up to `limit` bytes: counted while it streams when the copy
 * has a Web stream, else read whole and measured.
 */
export async function readCopyLimited(
  copy: ReturnType<NonNullable<RequestView['clone']>>,
  contentLength: string | null,
  limit: number,
): Promise<Uint8Array> {
  const stream = (copy as { body?: unknown }).body;
  if (stream instanceof ReadableStream || stream === null)
    return readLimited(stream as ReadableStream<Uint8Array> | null, limit, contentLength);
  const body = new Uint8Array(await copy.arrayBuffer());
  if (body.byteLength > limit) throw new BodyTooLargeError(limit);
  return body;
}
