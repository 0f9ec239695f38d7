/**
 * Reads the client's options once, when the client is created: each is checked (a mistake throws
 * a coded TypeError naming the option) and given its default. Nothing is written into the
 * caller's object.
 */
import { invalidArgument } from '../http/argument-error.ts';
import { isToken } from '../http/field-syntax.ts';
import type { AuthStrategy } from './auth-flow.ts';
import type { CookieJarLike } from './cookies.ts';
import type { ClientOptions, NormalizedOptions, OtherOrigins } from './options.ts';
import type { RedirectOptions } from './redirect.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry-policy.ts';
import type { Transport } from './transport.ts';

const noop = () => {};
/** The listener of an event nobody listens to: the client skips building its event. */
export const NO_LISTENER = noop;

export function normalizeOptions(options: ClientOptions = {}): NormalizedOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('createClient(options): options must be an object');
  const baseUrl = baseUrlOption(options.baseUrl);
  const headers = headersOption(options.headers);
  const auth = authOption(options.auth);
  const retry = normalizeRetry(options.retry);
  const timeout = timeoutOption(options.timeout);
  const transport = transportOption(options.fetch);
  const redirect = redirectOption(options.redirect);
  const cookies = cookiesOption(options.cookies);
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
    redirect,
    cookies,
    throwHttpErrors: options.throwHttpErrors ?? true,
    onRetry: listener(options.onRetry, 'onRetry'),
    onRefresh: listener(options.onRefresh, 'onRefresh'),
    onRedirect: listener(options.onRedirect, 'onRedirect'),
    onResponse: listener(options.onResponse, 'onResponse'),
  };
}

/** Reads an otherOrigins option (the client's, or a call's over the client's `fallback`). */
export function otherOriginsOption(value: unknown, name: string, fallback: OtherOrigins): OtherOrigins {
  if (value === undefined) return fallback;
  if (value !== 'throw' && value !== 'omit')
    throw invalidArgument(`${name} must be 'throw' or 'omit', got ${JSON.stringify(value)}`);
  return value;
}

/** An absolute URL whose path ends in `/`, so relative URLs land below it. */
function baseUrlOption(value: ClientOptions['baseUrl']): URL | undefined {
  if (value === undefined) return undefined;
  let baseUrl: URL;
  try {
    baseUrl = new URL(String(value));
  } catch {
    throw invalidArgument(
      `createClient: baseUrl must be an absolute URL such as "https://api.example.com/v1", got ${JSON.stringify(String(value))}`,
    );
  }
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  return baseUrl;
}

function headersOption(value: ClientOptions['headers']): Headers {
  try {
    return new Headers(value);
  } catch (error) {
    throw invalidArgument(`createClient: headers are not valid: ${(error as Error).message}`);
  }
}

function authOption(auth: ClientOptions['auth']): AuthStrategy | undefined {
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || typeof auth.flow !== 'function')) {
    throw invalidArgument(
      'createClient: auth must be a strategy such as basic(), bearer(), apiKey(), digest() or hmacSignature()',
    );
  }
  return auth;
}

function timeoutOption(value: ClientOptions['timeout']): NormalizedOptions['timeout'] {
  if (typeof value === 'number') return { attempt: undefined, total: positive(value, 'timeout') };
  if (value === undefined) return { attempt: undefined, total: undefined };
  if (typeof value !== 'object' || value === null)
    throw invalidArgument('createClient: timeout must be a number or { attempt, total }');
  return {
    attempt: value.attempt === undefined ? undefined : positive(value.attempt, 'timeout.attempt'),
    total: value.total === undefined ? undefined : positive(value.total, 'timeout.total'),
  };
}

function transportOption(value: ClientOptions['fetch']): Transport {
  const transport = value ?? globalThis.fetch;
  if (typeof transport !== 'function')
    throw invalidArgument(
      "createClient: fetch must be a function with fetch's signature, (url, init) => Promise<Response>",
    );
  return transport;
}

function redirectOption(value: ClientOptions['redirect']): Required<RedirectOptions> {
  const redirect = value ?? {};
  if (typeof redirect !== 'object' || redirect === null)
    throw invalidArgument('createClient: redirect must be an object');
  const trustedOrigins = stringList('redirect.trustedOrigins', redirect.trustedOrigins);
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
  const follow = redirect.follow ?? true;
  if (typeof follow !== 'boolean') throw invalidArgument('createClient: redirect.follow must be a boolean');
  const secretHeaders = stringList('redirect.secretHeaders', redirect.secretHeaders);
  // RFC 9110 §5.1: a field name is a token; anything else could never match a header sent.
  if (!secretHeaders.every((name) => isToken(name)))
    throw invalidArgument('createClient: redirect.secretHeaders entries must be header names such as "X-Api-Token"');
  return { follow, max, trustedOrigins, secretHeaders };
}

/** A list of strings, copied; a lone string is refused rather than read as a list of its characters. */
function stringList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string'))
    throw invalidArgument(`createClient: ${name} must be a list of strings, such as ["…"]`);
  return [...value];
}

function cookiesOption(value: ClientOptions['cookies']): boolean | CookieJarLike {
  const cookies = value ?? false;
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
  return cookies;
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

function positive(value: unknown, name: string, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalidArgument(
      `createClient: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function listener<T>(value: unknown, name: string): (event: T) => void {
  if (value === undefined) return noop;
  if (typeof value !== 'function') throw invalidArgument(`createClient: ${name} must be a function`);
  return value as (event: T) => void;
}
