/** The request as schemes see it, read once by the guard. */
import type { AuthorizationParseResult } from '../http/index.ts';
import { parseCookieHeader } from './cookies.ts';
import { RequestInvalidError } from './request-limits.ts';
import type { GuardRequest, RequestView } from './scheme.ts';

/**
 * The request as schemes see it. The URL and the cookies are parsed only for a scheme that reads
 * them (API keys in the query, signatures, sessions), not on every Bearer or Basic request; a class,
 * so every request's object has the same shape.
 */
export class LazyGuardRequest implements GuardRequest {
  readonly request: RequestView;
  readonly authorization: AuthorizationParseResult | undefined;
  body: Uint8Array | undefined;
  #url: URL | undefined;
  #cookies: ReadonlyMap<string, string> | undefined;
  readonly #clientAddress: string | undefined;
  readonly #accepted: ReadonlySet<string>;
  /** What a scheme added to the answer; none on most requests, so no list is made for them. */
  answerHeaders: Array<readonly [string, string]> | undefined;
  constructor(
    request: RequestView,
    authorization: AuthorizationParseResult | undefined,
    body: Uint8Array | undefined,
    clientAddress: string | undefined,
    accepted: ReadonlySet<string>,
  ) {
    this.request = request;
    this.authorization = authorization;
    this.body = body;
    this.#clientAddress = clientAddress;
    this.#accepted = accepted;
    this.answerHeaders = undefined;
  }
  accepts(authorizationScheme: string): boolean {
    return this.#accepted.has(authorizationScheme);
  }
  answerWith(name: string, value: string): void {
    this.answerHeaders ??= [];
    this.answerHeaders.push([name.toLowerCase(), value]);
  }
  get clientAddress(): string | undefined {
    return this.#clientAddress ?? this.request.clientAddress;
  }
  get url(): URL {
    if (this.#url === undefined) {
      // A Node request's URL is put together from its Host header, which the client chose.
      let href: string;
      try {
        href = this.request.url;
      } catch (error) {
        if (error instanceof RequestInvalidError) throw error;
        throw new RequestInvalidError('The request URL cannot be read.');
      }
      const url = URL.parse(href);
      if (!url) throw new RequestInvalidError('The request URL is not valid: check the Host header.');
      this.#url = url;
    }
    return this.#url;
  }
  get target(): string {
    return this.request.target ?? originFormOf(this.request.url);
  }
  /**
   * The authority the request was sent to, read from the same checked URL as everything else: a
   * Host that is no authority is the request's fault (400 request_invalid), not a bad signature;
   * host names come lower-cased and a default port left out, as a client's URL has them. (A Web
   * Request made in-process has no Host field: its URL names the authority.)
   */
  get authority(): string {
    return this.url.host;
  }
  get cookies(): ReadonlyMap<string, string> {
    this.#cookies ??= parseCookieHeader(this.request.headers.get('cookie'));
    return this.#cookies;
  }
}

/**
 * The path and query of an absolute URL string, cut out of it rather than parsed again: a parse
 * would resolve dot segments, and the query's "?" would be lost when it is empty.
 */
function originFormOf(url: string): string {
  const authorityStart = url.indexOf('//');
  const path = url.indexOf('/', authorityStart < 0 ? 0 : authorityStart + 2);
  if (path < 0) return '/';
  const fragment = url.indexOf('#', path);
  return fragment < 0 ? url.slice(path) : url.slice(path, fragment);
}
