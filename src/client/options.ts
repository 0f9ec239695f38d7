/**
 * The client's options and a call's: every one optional, documented with its default. They are
 * validated once, when the client is created, by normalize-options.ts.
 */
import type { AuthStrategy, RefreshEvent } from './auth-flow.ts';
import type { CookieJarLike } from './cookies.ts';
import type { RedirectEvent, RedirectOptions } from './redirect.ts';
import type { BodySource } from './request-body.ts';
import type { RetryEvent } from './retry.ts';
import type { RetryOptions, RetryPolicy } from './retry-policy.ts';
import type { Transport } from './transport.ts';

export interface ResponseEvent {
  method: string;
  url: string;
  status: number;
  attempts: number;
  response: Response;
}

/**
 * What a call to an origin other than the baseUrl's (and redirect.trustedOrigins) does when the
 * client holds credentials: 'throw' refuses it before sending (CrossOriginCredentialsError),
 * 'omit' sends it without them.
 */
export type OtherOrigins = 'throw' | 'omit';

/** A call's init: fetch's, with a body that may be made afresh for every send, and per-call overrides. */
export interface ClientRequestInit extends Omit<RequestInit, 'body'> {
  /** Anything fetch takes, or `() => body` to make a fresh one (a stream) for every send. */
  body?: BodySource;
  /** Overrides the client's throwHttpErrors for this call. */
  throwHttpErrors?: boolean;
  /** Overrides the client's otherOrigins for this call: 'omit' sends it to another origin without credentials. */
  otherOrigins?: OtherOrigins;
}

export interface ClientOptions {
  /**
   * Resolves relative URLs: `baseUrl: 'https://api.example.com/v1'` + `'users'` → `/v1/users`.
   * Also where the credentials belong: a call that names another origin gets none (see otherOrigins).
   */
  baseUrl?: string | URL;
  /** With a baseUrl, a call to another origin from a client with credentials: 'throw' or 'omit' them. @default 'throw' */
  otherOrigins?: OtherOrigins;
  /**
   * Sent with every request; a call's own headers win. Anything `new Headers()` takes (the DOM's
   * HeadersInit, named through RequestInit so that a project without the DOM lib compiles it).
   */
  headers?: NonNullable<RequestInit['headers']>;
  /** How requests authenticate: basic(), bearer(), apiKey(), digest(), hmacSignature() or your own. */
  auth?: AuthStrategy;
  /** Retry policy; a number sets `limit`; `false` turns retries off. @default { limit: 2, … } (see RetryOptions) */
  retry?: RetryOptions | number | false;
  /** Time budgets in ms, until the response headers arrive. A number sets `total`. @default {} (none) */
  timeout?: { attempt?: number; total?: number } | number;
  /** The transport. @default globalThis.fetch */
  fetch?: Transport;
  /** Redirect policy: credentials belong to their origin. @default { follow: true, max: 20, trustedOrigins: [], secretHeaders: [] } */
  redirect?: RedirectOptions;
  /**
   * A cookie jar for cookie-session APIs: `true` for a new tough-cookie jar, bounded as browsers bound
   * theirs (RFC 6265 §6.1: a cookie over 4096 bytes ignored, 50 kept per domain and 3000 in all, the
   * least recently used evicted first), or your own. @default false
   */
  cookies?: boolean | CookieJarLike;
  /** Throw an HttpError for a non-2xx that recovery could not fix; false returns the Response. @default true */
  throwHttpErrors?: boolean;
  onRetry?: (event: RetryEvent) => void;
  onRefresh?: (event: RefreshEvent) => void;
  onRedirect?: (event: RedirectEvent) => void;
  onResponse?: (event: ResponseEvent) => void;
}

export interface NormalizedOptions {
  baseUrl: URL | undefined;
  otherOrigins: OtherOrigins;
  headers: Headers;
  auth: AuthStrategy | undefined;
  retry: RetryPolicy;
  timeout: { attempt: number | undefined; total: number | undefined };
  fetch: Transport;
  redirect: Required<RedirectOptions>;
  cookies: boolean | CookieJarLike;
  throwHttpErrors: boolean;
  onRetry: (event: RetryEvent) => void;
  onRefresh: (event: RefreshEvent) => void;
  onRedirect: (event: RedirectEvent) => void;
  onResponse: (event: ResponseEvent) => void;
}
