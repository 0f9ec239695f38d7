/** A Web Request with the request-target as the client sent it, for the guard. */
import type { IncomingMessage } from 'node:http';
import { RequestInvalidError } from '../../server/request-limits.ts';
import type { RequestView } from '../../server/scheme.ts';
import { schemeMismatch } from '../shared/node-url.ts';

/**
 * A Web Request on @hono/node-server as the guard sees it, with the request-target as received on
 * the wire. Its URL's scheme is the connection's: @hono/node-server takes an absolute-form target's
 * (and HTTP/2's :scheme), which the client chose.
 */
export class TargetedRequest implements RequestView {
  readonly #request: Request;
  readonly #incoming: IncomingMessage;
  readonly target: string;
  constructor(request: Request, incoming: IncomingMessage & { url: string }) {
    this.#request = request;
    this.#incoming = incoming;
    this.target = incoming.url;
  }
  get method(): string {
    return this.#request.method;
  }
  /** Throws RequestInvalidError for a URL whose scheme is not the connection's; the guard answers it 400. */
  get url(): string {
    const url = this.#request.url;
    const mismatch = schemeMismatch(url, this.#incoming);
    if (mismatch !== undefined) throw new RequestInvalidError(mismatch);
    return url;
  }
  get headers(): RequestView['headers'] {
    return this.#request.headers;
  }
  clone(): { arrayBuffer(): Promise<ArrayBuffer> } {
    return this.#request.clone();
  }
}
