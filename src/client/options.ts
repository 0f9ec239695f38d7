/**
 * The client's options: every one optional, documented with its default, validated once when
 * the client is created. Nothing is written into the caller's object.
 */
import { invalidArgument } from '../http/argument-error.ts';
import type { AuthStrategy, RefreshEvent } from './auth-flow.ts';
import type { CookieJarLike } from './cookies.ts';
import type { RedirectEvent, RedirectOptions } from './redirect.ts';
import type { BodySource } from './request-body.ts';
import type { RetryEvent } from './retry.ts';
import { DEFAULT_RETRY, type RetryOptions, type RetryPolicy } from './retry-policy.ts';
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
  /** Sent with every request; a call's own headers win. */
  headers?: HeadersInit;
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
  /** A cookie jar for cookie-session APIs: `true` for a new tough-cookie jar, or your own. @default false */
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

const noop = () => {};
/** The listener of an event nobody listens to: the client skips building its event. */
export const NO_LISTENER = noop;

function positive(value: unknown, name: string, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalidArgument(
      `createClient: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Reads an otherOrigins option (the client's, or a call's over the client's `fallback`). */
export function otherOriginsOption(value: unknown, name: string, fallback: OtherOrigins): OtherOrigins {
  if (value === undefined) return fallback;
  if (value !== 'throw' && value !== 'omit')
    throw invalidArgument(`${name} must be 'throw' or 'omit', got ${JSON.stringify(value)}`);
  return value;
}

function listener<T>(value: unknown, name: string): (event: T) => void {
  if (value === undefined) return noop;
  if (typeof value !== 'function') throw invalidArgument(`createClient: ${name} must be a function`);
  return value as (event: T) => void;
}

export function normalizeOptions(options: ClientOptions = {}): NormalizedOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('createClient(options): options must be an object');

  let baseUrl: URL | undefined;
  if (options.baseUrl !== undefined) {
    try {
      baseUrl = new URL(String(options.baseUrl));
    } catch {
      throw invalidArgument(
        `createClient: baseUrl must be an absolute URL such as "https://api.example.com/v1", got ${JSON.stringify(String(options.baseUrl))}`,
      );
    }
    if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  }

  let headers: Headers;
  try {
    headers = new Headers(options.headers);
  } catch (error) {
    throw invalidArgument(`createClient: headers are not valid: ${(error as Error).message}`);
  }

  const auth = options.auth;
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || typeof auth.flow !== 'function')) {
    throw invalidArgument(
      'createClient: auth must be a strategy such as basic(), bearer(), apiKey(), digest() or hmacSignature()',
    );
  }

  const retry = normalizeRetry(options.retry);

  let timeout: NormalizedOptions['timeout'] = { attempt: undefined, total: undefined };
  if (typeof options.timeout === 'number')
    timeout = { attempt: undefined, total: positive(options.timeout, 'timeout') };
  else if (options.timeout !== undefined) {
    if (typeof options.timeout !== 'object' || options.timeout === null)
      throw invalidArgument('createClient: timeout must be a number or { attempt, total }');
    timeout = {
      attempt: options.timeout.attempt === undefined ? undefined : positive(options.timeout.attempt, 'timeout.attempt'),
      total: options.timeout.total === undefined ? undefined : positive(options.timeout.total, 'timeout.total'),
    };
  }

  const transport = options.fetch ?? globalThis.fetch;
  if (typeof transport !== 'function')
    throw invalidArgument(
      "createClient: fetch must be a function with fetch's signature, (url, init) => Promise<Response>",
    );

  const redirect = options.redirect ?? {};
  if (typeof redirect !== 'object' || redirect === null)
    throw invalidArgument('createClient: redirect must be an object');
  const trustedOrigins = [...(redirect.trustedOrigins ?? [])];
  for (const origin of trustedOrigins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {}
    if (!parsed || parsed.origin === 'null' || parsed.origin !== origin.replace(/\/$/, '')) {
      throw invalidArgument(
        `createClient: redirect.trustedOrigins entries must be origins such as "https://auth.example.com", got ${JSON.stringify(origin)}`,
      );
    }
  }
  const max = redirect.max ?? 20;
  if (!Number.isInteger(max) || max < 0) throw invalidArgument('createClient: redirect.max must be a whole number ≥ 0');

  const cookies = options.cookies ?? false;
  if (
    typeof cookies !== 'boolean' &&
    (typeof cookies !== 'object' ||
      typeof cookies.getCookieString !== 'function' ||
      typeof cookies.setCookie !== 'function')
  ) {
    throw invalidArgument(
      'createClient: cookies must be true, false, or a jar with getCookieString() and setCookie() (tough-cookie CookieJar)',
    );
  }
  if (options.throwHttpErrors !== undefined && typeof options.throwHttpErrors !== 'boolean') {
    throw invalidArgument('createClient: throwHttpErrors must be a boolean');
  }

  return {
    baseUrl,
    otherOrigins: otherOriginsOption(options.otherOrigins, 'createClient: otherOrigins', 'throw'),
    headers,
    auth,
    retry,
    timeout,
    fetch: transport,
    redirect: {
      follow: redirect.follow ?? true,
      max,
      trustedOrigins,
      secretHeaders: [...(redirect.secretHeaders ?? [])],
    },
    cookies,
    throwHttpErrors: options.throwHttpErrors ?? true,
    onRetry: listener(options.onRetry, 'onRetry'),
    onRefresh: listener(options.onRefresh, 'onRefresh'),
    onRedirect: listener(options.onRedirect, 'onRedirect'),
    onResponse: listener(options.onResponse, 'onResponse'),
  };
}

function normalizeRetry(retry: ClientOptions['retry']): RetryPolicy {
  if (retry === false) return { ...DEFAULT_RETRY, limit: 0 };
  if (retry === undefined) return { ...DEFAULT_RETRY };
  if (typeof retry === 'number') {
    if (!Number.isInteger(retry) || retry < 0)
      throw invalidArgument(`createClient: retry must be a whole number ≥ 0, an object or false, got ${retry}`);
    return { ...DEFAULT_RETRY, limit: retry };
  }
  if (typeof retry !== 'object' || retry === null)
    throw invalidArgument('createClient: retry must be a number, an object or false');
  const policy: RetryPolicy = { ...DEFAULT_RETRY };
  for (const [key, value] of Object.entries(retry)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_RETRY))
      throw invalidArgument(
        `createClient: retry.${key} is not an option; use ${Object.keys(DEFAULT_RETRY).join(', ')}`,
      );
    (policy as unknown as Record<string, unknown>)[key] = value;
  }
  if (!Number.isInteger(policy.limit) || policy.limit < 0)
    throw invalidArgument('createClient: retry.limit must be a whole number ≥ 0');
  positive(policy.baseDelay, 'retry.baseDelay', true);
  positive(policy.maxDelay, 'retry.maxDelay', true);
  positive(policy.maxRetryAfter, 'retry.maxRetryAfter', true);
  if (!['throw', 'wait', 'clamp'].includes(policy.onLongRetryAfter))
    throw invalidArgument("createClient: retry.onLongRetryAfter must be 'throw', 'wait' or 'clamp'");
  if (!Array.isArray(policy.methods))
    throw invalidArgument('createClient: retry.methods must be an array of method names');
  if (!Array.isArray(policy.statusCodes))
    throw invalidArgument('createClient: retry.statusCodes must be an array of statuses');
  if (typeof policy.random !== 'function') throw invalidArgument('createClient: retry.random must be a function');
  policy.methods = policy.methods.map((m) => m.toUpperCase());
  return policy;
}
