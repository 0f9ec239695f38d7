/** A Web Request with the request-target as the client sent it, for the guard. */
import type { RequestView } from '../../server/scheme.ts';

/** A Web Request as the guard sees it, with the request-target as received on the wire. */
export class TargetedRequest implements RequestView {
  readonly #request: Request;
  readonly target: string;
  constructor(request: Request, target: string) {
    this.#request = request;
    this.target = target;
  }
  get method(): string {
    return this.#request.method;
  }
  get url(): string {
    return this.#request.url;
  }
  get headers(): RequestView['headers'] {
    return this.#request.headers;
  }
  clone(): { arrayBuffer(): Promise<ArrayBuffer> } {
    return this.#request.clone();
  }
}
