/**
 * The Response undiciTransport() answers with: a platform Response (its class, status, statusText,
 * headers, ok, type, url) whose body is undici's Node stream, read directly by `text()`, `json()`,
 * `arrayBuffer()` and `bytes()`. A Response built over a Node stream wraps it in a web stream and
 * reads it chunk by chunk through promises, which costs more than the rest of a call; here that
 * Response is built only when the body is asked for in another way (`body`, `clone()`, `blob()`,
 * `formData()`), exactly as undiciTransport() built it for every answer before.
 *
 * Invariant relied on: from its caller's view the object behaves as that Response would. Until a
 * reader runs or the platform Response is built, the Node stream has had no reader and no
 * listener, so whichever comes first takes the whole body; after a direct read, the platform
 * Response stands in as a used one (bodyUsed true, `body` locked, another read or a clone a
 * TypeError), as the platform's own does after `text()`. The bytes are decoded as the Fetch
 * standard's "UTF-8 decode" (a leading BOM dropped, malformed bytes as U+FFFD), and a read fails
 * with the stream's own error, as the web stream over it would.
 */
import type { Readable } from 'node:stream';
import { HAS_FIELD } from './transport.ts';

// Fetch standard "UTF-8 decode": fatal off, BOM not ignored (so a leading one is removed).
const UTF8 = new TextDecoder();

/** The header fields of undici's answer: lower-case names, a repeated field's values in an array. */
export type AnswerFields = Record<string, string | string[] | undefined>;

export class UndiciResponse extends Response {
  /** undici's body, until a direct read takes it or the platform Response is built over it. */
  #node: Readable | null;
  /** The platform Response over the same body, built only when it is needed. */
  #platform: Response | undefined;
  #used = false;
  /** undici's header fields, until they are put on `headers` when it is first read. */
  #fields: AnswerFields | undefined;

  constructor(body: Readable, init: ResponseInit, fields: AnswerFields) {
    super(null, init);
    this.#node = body;
    // Headers would refuse a field at once: it is refused here, as when they were put on at once.
    if (acceptedAsTheyAre(fields)) this.#fields = fields;
    else appendFields(super.headers, fields);
  }

  /**
   * The response's own Headers, with undici's fields put on the first time it is read: whoever
   * reads it (the caller, a stage, clone()) reads it here, so no one sees it without them.
   */
  override get headers(): Headers {
    const headers = super.headers;
    const fields = this.#fields;
    if (fields !== undefined) {
      this.#fields = undefined;
      appendFields(headers, fields);
    }
    return headers;
  }

  /** `headers.has(name)` for a lower-case name, without putting the fields on (transport.ts). */
  [HAS_FIELD](name: string): boolean {
    const fields = this.#fields;
    if (fields === undefined) return super.headers.has(name);
    return Object.hasOwn(fields, name) && fields[name] !== undefined;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#full().body;
  }

  override get bodyUsed(): boolean {
    return this.#platform === undefined ? this.#used : this.#platform.bodyUsed;
  }

  override text(): Promise<string> {
    if (this.#platform !== undefined) return this.#platform.text();
    return this.#read(decode);
  }

  override json(): Promise<unknown> {
    if (this.#platform !== undefined) return this.#platform.json();
    return this.#read(parseJson);
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#platform !== undefined) return this.#platform.arrayBuffer();
    return this.#read(copiedBuffer);
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#platform !== undefined) return this.#platform.bytes();
    return this.#read(copied);
  }

  override blob(): Promise<Blob> {
    return this.#full().blob();
  }

  override formData(): Promise<FormData> {
    return this.#full().formData();
  }

  override clone(): Response {
    return this.#full().clone();
  }

  /** The platform Response that stands for this one from now on. */
  #full(): Response {
    if (this.#platform === undefined) {
      const init = { status: this.status, statusText: this.statusText, headers: this.headers };
      this.#platform = this.#used ? usedResponse(init) : new Response(this.#node as unknown as BodyInit, init);
      this.#node = null;
    }
    return this.#platform;
  }

  /**
   * The whole body read from undici's stream, made into what the reader gives by `finish`; a
   * TypeError, as the platform's, once it was read.
   */
  #read<T>(finish: (bytes: Buffer) => T): Promise<T> {
    const node = this.#node;
    if (this.#used || node === null)
      return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    // The stream may have failed or closed before this read (a connection reset meanwhile).
    if (node.errored) return Promise.reject(node.errored);
    if (node.destroyed) return Promise.reject(prematureClose());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let length = 0;
      node.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
      });
      node.on('end', () => {
        try {
          resolve(finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
        } catch (error) {
          reject(error);
        }
      });
      node.on('error', reject);
      // undici fails a body it cannot finish with an error; this covers a close without one.
      node.on('close', () => {
        if (!node.readableEnded) reject(node.errored ?? prematureClose());
      });
    });
  }
}

/** Every field of undici's answer on `headers`, each value of a repeated field appended. */
export function appendFields(headers: Headers, fields: AnswerFields): void {
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, value);
  }
}

// What Headers takes without a TypeError: a token as the name; a value with no NUL, CR or LF (one
// with a CR or LF at either end is taken once trimmed, but is put on at once here all the same).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REFUSED_IN_VALUE = /[\0\r\n]/;

function acceptedAsTheyAre(fields: AnswerFields): boolean {
  for (const name of Object.keys(fields)) {
    if (!TOKEN.test(name)) return false;
    const value = fields[name];
    if (typeof value === 'string' ? REFUSED_IN_VALUE.test(value) : value?.some((v) => REFUSED_IN_VALUE.test(v)))
      return false;
  }
  return true;
}

function decode(bytes: Buffer): string {
  return UTF8.decode(bytes);
}

function parseJson(bytes: Buffer): unknown {
  return JSON.parse(UTF8.decode(bytes));
}

function copiedBuffer(bytes: Buffer): ArrayBuffer {
  return copied(bytes).buffer;
}

/** What Node's own reading of a stream says when it closes before its end without an error. */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** The bytes in an ArrayBuffer of their own (a chunk may be a view into a larger one). */
function copied(bytes: Buffer): Uint8Array<ArrayBuffer> {
  const own = new Uint8Array(bytes.length);
  own.set(bytes);
  return own;
}

/** A Response whose body was read: bodyUsed, its stream locked and disturbed. */
function usedResponse(init: ResponseInit): Response {
  const used = new Response(new ReadableStream({ start: (controller) => controller.close() }), init);
  void used.body!.getReader().read();
  return used;
}
