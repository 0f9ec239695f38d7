/** The guard's view of a Node request (a RequestView), read from the headers node:http has parsed. */
import type { IncomingMessage } from 'node:http';
import { RequestInvalidError } from '../../server/request-limits.ts';
import type { RequestView } from '../../server/scheme.ts';
import { readRequestUrl } from './node-url.ts';

/**
 * A light view of a Node request for the guard: node:http has parsed the headers already, and
 * a Web Request built from them would cost more than the authentication. Methods on a class,
 * not closures per request, and the URL put together only if a scheme asks for it.
 */
class NodeRequestView implements RequestView {
  readonly method: string;
  declare readonly clone?: NonNullable<RequestView['clone']>;
  readonly #req: IncomingMessage;
  readonly #fields: IncomingMessage['headers'];
  #headers: NodeHeadersView | undefined;
  #url: string | undefined;

  constructor(req: IncomingMessage, body?: Uint8Array, headers: IncomingMessage['headers'] = req.headers) {
    this.#req = req;
    this.method = req.method ?? 'GET';
    this.#fields = headers;
    this.#headers = undefined;
    if (body) this.clone = () => ({ arrayBuffer: async () => body.slice().buffer as ArrayBuffer });
  }

  /**
   * Made on first read: the adapters hand the guard the Authorization lines themselves, so a GET
   * with credentials never asks. It reads the object it was given, whenever it is read: the
   * fields as the app holds them then, as the view made at once did.
   */
  get headers(): RequestView['headers'] {
    this.#headers ??= new NodeHeadersView(this.#fields);
    return this.#headers;
  }

  /** Express's req.ip where there is one (it honours `trust proxy`), else the socket's address. */
  get clientAddress(): string | undefined {
    const req = this.#req as IncomingMessage & { ip?: unknown };
    return typeof req.ip === 'string' ? req.ip : req.socket?.remoteAddress;
  }

  /**
   * The request-target as received: node:http leaves req.url as it came, but a router that
   * rewrites it for a mount (Express, connect) or a rewriteUrl (Fastify) keeps it in originalUrl.
   */
  get target(): string {
    const original = (this.#req as { originalUrl?: unknown }).originalUrl;
    return typeof original === 'string' ? original : (this.#req.url ?? '/');
  }

  /**
   * Throws RequestInvalidError for a Host that is not an authority, or an absolute-form target that
   * is not for this connection's scheme; the guard answers it 400.
   */
  get url(): string {
    if (this.#url === undefined) {
      const url = readRequestUrl(this.#req);
      if ('problem' in url) throw new RequestInvalidError(url.problem);
      this.#url = url.href;
    }
    return this.#url;
  }
}

class NodeHeadersView {
  readonly #headers: IncomingMessage['headers'];

  constructor(headers: IncomingMessage['headers']) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }
}

/**
 * The guard's view of a Node request. Its headers are the app's current ones (`req.headers`, or
 * the framework's own view when it keeps one, as Fastify's request.headers), so a field a
 * middleware set, replaced or deleted is judged as the handler will see it.
 */
export function toRequestView(
  req: IncomingMessage,
  body?: Uint8Array,
  headers: IncomingMessage['headers'] = req.headers,
): RequestView {
  return new NodeRequestView(req, body, headers);
}
