/**
 * The guard's CORS policy: which browser origins may call a guarded API, and the answers that tell
 * the browser so. A preflight carries no credentials (Fetch standard, CORS-preflight request), so
 * the adapter answers it itself and never runs protected code for it; this says what that answer
 * allows.
 */
import { invalidArgument } from '../http/argument-error.ts';
import { isToken } from '../http/field-syntax.ts';
import type { RequestView } from './request-view.ts';

export interface CorsPolicy {
  /**
   * The origins whose pages may call the API, each a serialized origin compared exactly
   * (`https://app.example`, no path, no trailing slash), or `'*'` for any origin (never with
   * `credentials`).
   */
  origins: readonly string[] | '*';
  /** The methods a page may use. @default ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] */
  methods?: readonly string[];
  /** The request headers a page may send (DPoP: a proof, RFC 9449 §4.1). @default ['Authorization', 'Content-Type', 'DPoP'] */
  headers?: readonly string[];
  /**
   * The response headers a page may read besides the safelisted ones: a page's DPoP client reads
   * `DPoP-Nonce` (RFC 9449 §9), and its client paces itself by `RateLimit` and `RateLimit-Policy`
   * (draft-ietf-httpapi-ratelimit-headers) and waits out `Retry-After`.
   * @default ['WWW-Authenticate', 'Retry-After', 'DPoP-Nonce', 'RateLimit', 'RateLimit-Policy']
   */
  exposeHeaders?: readonly string[];
  /** Whether pages may call with the browser's credentials (cookies, a cached Basic login). @default false */
  credentials?: boolean;
  /** How long a browser may keep a preflight's answer. @default 600 // s */
  maxAgeSeconds?: number;
}

type HeaderPairs = ReadonlyArray<readonly [string, string]>;

/** The response headers a page may read by default (CorsPolicy.exposeHeaders). */
const EXPOSED = ['WWW-Authenticate', 'Retry-After', 'DPoP-Nonce', 'RateLimit', 'RateLimit-Policy'];

/** A policy checked once, with its answers' headers put together once. */
export interface CorsRules {
  /** The answer to a preflight: 204, with the allowance only for an allowed Origin. */
  preflight(request: RequestView): Response;
  /** The CORS headers of any other answer to this request; undefined when its Origin is not allowed. */
  allowance(request: RequestView): HeaderPairs | undefined;
}

/** `owner` is the factory given the policy (createGuard, createAuthorizationServer), which a refusal names. */
export function corsRules(policy: CorsPolicy, owner = 'createGuard'): CorsRules {
  if (!policy || typeof policy !== 'object') throw invalidArgument(`${owner}: cors must be an object`);
  const anyOrigin = policy.origins === '*';
  const origins = new Set(policy.origins === '*' ? [] : checkedOrigins(policy.origins, owner));
  const credentials = policy.credentials ?? false;
  // Fetch standard, CORS check: a wildcard origin never goes with credentials.
  if (anyOrigin && credentials) throw invalidArgument(`${owner}: cors.origins "*" cannot go with credentials`);
  const listed = (option: string, values: readonly string[]) => tokens(`${owner}: cors.${option}`, values);
  const methods = listed('methods', policy.methods ?? ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
  const headers = listed('headers', policy.headers ?? ['Authorization', 'Content-Type', 'DPoP']);
  const exposed = listed('exposeHeaders', policy.exposeHeaders ?? EXPOSED);
  const maxAge = policy.maxAgeSeconds ?? 600;
  if (!Number.isInteger(maxAge) || maxAge < 0)
    throw invalidArgument(`${owner}: cors.maxAgeSeconds must be a whole number of seconds`);

  // An answer that depends on the Origin says so, for caches (Fetch standard, CORS protocol and HTTP caches).
  const vary: HeaderPairs = anyOrigin ? [] : [['vary', 'Origin']];
  const shared = (origin: string): Array<readonly [string, string]> => [
    ['access-control-allow-origin', anyOrigin ? '*' : origin],
    ...(credentials ? [['access-control-allow-credentials', 'true'] as const] : []),
    ...vary,
  ];
  const allowedOrigin = (request: RequestView): string | undefined => {
    const origin = request.headers.get('origin');
    return origin !== null && (anyOrigin || origins.has(origin)) ? origin : undefined;
  };

  return {
    preflight(request) {
      const origin = allowedOrigin(request);
      const answer = new Headers(vary as Array<[string, string]>);
      if (origin !== undefined) {
        for (const [name, value] of shared(origin)) answer.set(name, value);
        if (methods.length > 0) answer.set('access-control-allow-methods', methods.join(', '));
        if (headers.length > 0) answer.set('access-control-allow-headers', headers.join(', '));
        answer.set('access-control-max-age', String(maxAge));
      }
      return new Response(null, { status: 204, headers: answer });
    },
    allowance(request) {
      const origin = allowedOrigin(request);
      if (origin === undefined) return undefined;
      const pairs = shared(origin);
      if (exposed.length > 0) pairs.push(['access-control-expose-headers', exposed.join(', ')]);
      return pairs;
    },
  };
}

/**
 * Whether the request is a CORS preflight: OPTIONS asking, with Access-Control-Request-Method,
 * whether the real request may be sent (Fetch standard, CORS-preflight request). It carries no
 * credentials by design, so it is answered, never authenticated and never served.
 */
export function isPreflight(request: RequestView): boolean {
  return request.method === 'OPTIONS' && request.headers.has('access-control-request-method');
}

/** The answer to a preflight when no policy allows anything: 204, and the browser stops there. */
export function preflightWithoutPolicy(): Response {
  return new Response(null, { status: 204 });
}

function checkedOrigins(origins: readonly string[], owner: string): string[] {
  if (!Array.isArray(origins)) throw invalidArgument(`${owner}: cors.origins must be a list of origins or "*"`);
  for (const origin of origins) {
    let serialized: string | undefined;
    try {
      serialized = new URL(origin).origin;
    } catch {
      serialized = undefined;
    }
    // RFC 6454 §6.2: the Origin header carries the serialization, so only that form can ever match.
    if (typeof origin !== 'string' || serialized !== origin || origin === 'null')
      throw invalidArgument(
        `${owner}: cors.origins: ${JSON.stringify(origin)} is not a serialized origin such as "https://app.example"`,
      );
  }
  return [...origins];
}

function tokens(option: string, values: readonly string[]): readonly string[] {
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && isToken(v)))
    throw invalidArgument(`${option} must be a list of field names or methods`);
  return values;
}

/** The Response with these header fields added (a CORS allowance, a scheme's); a copy when its headers cannot change. */
export function withAllowance(response: Response, allowance: HeaderPairs | undefined): Response {
  if (!allowance) return response;
  let target = response;
  try {
    for (const [name, value] of allowance) target.headers.set(name, value);
  } catch {
    // Headers of a fetched or redirect Response are immutable.
    target = new Response(response.body, response);
    for (const [name, value] of allowance) target.headers.set(name, value);
  }
  return target;
}
