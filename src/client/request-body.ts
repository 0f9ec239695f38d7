/**
 * A request body that can be sent more than once. Strings, bytes, Blob, FormData and
 * URLSearchParams are serialized afresh by fetch on every send; a ReadableStream can be sent
 * once only, unless given as a factory `() => ReadableStream` that makes a new one per send.
 */

import { BodyNotReplayableError } from './errors/body-not-replayable-error.ts';

/**
 * What fetch takes as a body (the DOM's BodyInit), named through RequestInit: the DOM lib and
 * @types/node both declare RequestInit, only the DOM lib declares BodyInit, and a Node project
 * compiles these declarations without it.
 */
export type FetchBody = NonNullable<RequestInit['body']>;

/** What a caller may pass as a body: anything fetch takes, or a function that makes one per send. */
export type BodySource = FetchBody | null | undefined | (() => FetchBody);

/** The Content-Type fetch sends with a string body. */
export const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8';

/**
 * A body serialized the way fetch serializes it (a multipart boundary, a form encoding, a Blob's
 * type), as a Request whose \`body\` stream and Content-Type can be read; nothing is sent.
 */
export function serializedLikeFetch(source: FetchBody): Request {
  return new Request('http://body.invalid/', { method: 'POST', body: source, duplex: 'half' } as RequestInit);
}

export class RequestBody {
  #source: FetchBody | null;
  #factory: (() => FetchBody) | undefined;
  #used = false;

  constructor(source: BodySource) {
    if (typeof source === 'function') {
      this.#factory = source;
      this.#source = null;
    } else {
      this.#source = source ?? null;
    }
  }

  get isEmpty(): boolean {
    return this.#source === null && this.#factory === undefined;
  }

  /** Whether the body can be sent again after it has been sent once. */
  get replayable(): boolean {
    return this.#factory !== undefined || !(this.#source instanceof ReadableStream);
  }

  /** Whether the next send would fail because a one-shot stream was already sent. */
  get exhausted(): boolean {
    return this.#used && !this.replayable;
  }

  /** The body for one send. */
  take(): FetchBody | null {
    if (this.#factory) return this.#factory();
    if (this.#used && !this.replayable) throw new BodyNotReplayableError();
    this.#used = true;
    return this.#source;
  }

  /**
   * The exact bytes that will be sent, for signing or Digest auth-int. A FormData, Blob,
   * URLSearchParams or stream is serialized once and the body becomes those bytes, so what is
   * signed is what is sent. Returns the content type of the serialization when fetch would set one.
   */
  async bytes(): Promise<{ bytes: Uint8Array; contentType: string | undefined }> {
    const source = this.#factory ? this.#factory() : this.take();
    if (source === null) return { bytes: new Uint8Array(0), contentType: undefined };
    if (typeof source === 'string') {
      const bytes = new TextEncoder().encode(source);
      this.#replaceWith(bytes);
      return { bytes, contentType: TEXT_CONTENT_TYPE };
    }
    const probe = serializedLikeFetch(source);
    const bytes = new Uint8Array(await probe.arrayBuffer());
    this.#replaceWith(bytes);
    return { bytes, contentType: probe.headers.get('content-type') ?? undefined };
  }

  #replaceWith(bytes: Uint8Array): void {
    this.#source = bytes as Uint8Array<ArrayBuffer>;
    this.#used = false;
    // A factory's output has been materialized: from now on the same bytes are sent each time.
    this.#factory = undefined;
  }
}
