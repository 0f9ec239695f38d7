/**
 * The guard: authenticates a Web Request with the configured schemes, authorizes it with a
 * permission, and renders refusals. Status, challenge and body come from the reason catalogue.
 */
import { invalidArgument } from '../http/argument-error.ts';
import {
  type AuthorizationParseResult,
  type Challenge,
  createProblem,
  formatChallenges,
  PROBLEM_CONTENT_TYPE,
  parseAuthorization,
  reasons,
} from '../http/index.ts';
import { type MaybePromise, whenSettled } from '../http/maybe-promise.ts';
import { parseCookieHeader } from './cookies.ts';
import { type CorsPolicy, corsRules, isPreflight, preflightWithoutPolicy } from './cors.ts';
import type { Permission } from './permissions.ts';
import type { Principal } from './principal.ts';
import { isRefusal, type Refusal } from './refusal.ts';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, RequestInvalidError, readLimited } from './request-limits.ts';
import type { GuardRequest, RequestView, Scheme } from './scheme.ts';
import { failureOf, failureRefusal, type OnError, report } from './server-failure.ts';

export interface GuardOptions {
  /** The schemes this API accepts. */
  schemes: readonly Scheme<unknown>[];
  /** The realm of every challenge. @default 'api' */
  realm?: string;
  /** Applied when authenticate() is called without a permission of its own. */
  permission?: Permission;
  /**
   * The body of a refusal: RFC 9457 problem details, or `{ "detail": … }` as FastAPI and DRF
   * send for clients that expect that shape. @default 'problem'
   */
  body?: 'problem' | 'detail';
  /** Sees every refusal (for logging); it carries no credential. */
  onRefusal?: (refusal: Refusal, request: RequestView) => void;
  /**
   * Which browser origins may call, with which methods and headers: the adapters answer their
   * preflights with it and let them read answers and refusals. Without it a preflight gets 204
   * with no CORS allowance (a CORS middleware in front of the guard answers preflights itself).
   */
  cors?: CorsPolicy;
  /**
   * Sees every failure of the server's own (a scheme's store or key source, a permission that
   * throws), which is answered 503 store_unavailable / keys_unavailable or 500 internal_error,
   * never 401. @default one line on stderr naming the failing source
   */
  onError?: OnError;
  /** The largest body read for a scheme that verifies it (signed requests); larger is 413. @default 1_048_576 */
  maxBodyBytes?: number;
}

export type Decision =
  | { outcome: 'authenticated'; principal: Principal }
  | { outcome: 'refused'; refusal: Refusal }
  /**
   * A CORS preflight: never refused for lack of credentials, never served either; the adapter
   * answers it with `guard.preflight(request)`.
   */
  | { outcome: 'preflight' };

export interface AuthenticateOptions {
  /** Overrides the guard's permission for this request. */
  permission?: Permission;
  /**
   * The Authorization field as the adapter holds it: its value, or every line when the client
   * repeated the field (Node's rawHeaders), which Headers would join into one and which is
   * answered 400; an empty list when there is none. Read from the request's headers when absent.
   */
  authorization?: string | readonly string[];
  /** The body, when the adapter already holds it; otherwise it is read from a clone when a scheme needs it. */
  body?: Uint8Array;
  /**
   * The client's address, which login protection keys on (Basic with `loginProtection`). The Node
   * adapters give the socket's (Express: `req.ip`); pass it for a Web Request, or a proxy's client.
   */
  clientAddress?: string;
}

export interface Guard {
  /** Whether a configured scheme verifies the body (signed requests): adapters keep it for them. */
  readonly needsBody: boolean;
  /** The largest body adapters read for it (GuardOptions.maxBodyBytes). */
  readonly maxBodyBytes: number;
  /**
   * Whether a `cors` policy was given: the Fastify plugin then answers preflights for every path,
   * routes mounted for one method included.
   */
  readonly hasCorsPolicy: boolean;
  authenticate(request: RequestView, options?: AuthenticateOptions): Promise<Decision>;
  /**
   * The same decision as authenticate(), returned directly when no step had to wait (a cached
   * token): what the adapters call, to spare most requests several promises. Never throws nor
   * rejects: a server failure is a refusal with a 5xx reason (store_unavailable, keys_unavailable,
   * internal_error), reported through onError.
   */
  decide(request: RequestView, options?: AuthenticateOptions): MaybePromise<Decision>;
  /** The one Response for a refusal: status, WWW-Authenticate, problem body. */
  refuse(refusal: Refusal): Response;
  /** The answer to a CORS preflight: 204, with what the `cors` policy allows this Origin (nothing without one). */
  preflight(request: RequestView): Response;
  /** The CORS headers for any other answer to this request: undefined without a policy or for another Origin. */
  allowance(request: RequestView): ReadonlyArray<readonly [string, string]> | undefined;
  /** OpenAPI 3.1: `components.securitySchemes`, and the `security` requirement of a route. */
  openapi(permission?: Permission): {
    securitySchemes: Record<string, Record<string, unknown>>;
    security: Array<Record<string, string[]>>;
  };
}

/**
 * @example
 * const guard = createGuard({ realm: 'api', schemes: [bearerScheme({ jwt: { jwks, algorithms: ['ES256'], issuer, audience } }), basicScheme({ users })] });
 */
export function createGuard(options: GuardOptions): Guard {
  if (!options || !Array.isArray(options.schemes) || options.schemes.length === 0)
    throw invalidArgument('createGuard: schemes must list at least one scheme');
  const realm = options.realm ?? 'api';
  if (typeof realm !== 'string' || /[\u0000-\u001f\u007f]/.test(realm))
    throw invalidArgument('createGuard: realm must be a string without control characters');
  const schemes = options.schemes;
  const names = new Set<string>();
  for (const scheme of schemes) {
    if (names.has(scheme.name)) throw invalidArgument(`createGuard: two schemes are named "${scheme.name}"`);
    names.add(scheme.name);
  }
  const shape = options.body ?? 'problem';
  const cors = options.cors === undefined ? undefined : corsRules(options.cors);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0)
    throw invalidArgument('createGuard: maxBodyBytes must be a whole number of bytes');
  const authorizationSchemes = new Set(schemes.flatMap((s) => s.authorizationSchemes ?? []));
  const accepted = schemes
    .map((s) => s.challenge(realm)?.scheme)
    .filter(Boolean)
    .join(', ');

  /**
   * The decision, synchronously when every step is (a cached token, a synchronous permission):
   * a promise only where a step waits. Adapters call it to spare a request the promises.
   * It never throws and never rejects: a request that cannot be read is refused 400 or 413, and a
   * step that fails (a store, a key source) is the server's failure, 5xx, never a 401.
   */
  function decideNow(request: RequestView, opts: AuthenticateOptions): MaybePromise<Decision> {
    const step = { source: 'guard' };
    try {
      return whenSettled(
        decideSteps(request, opts, step),
        (decision) => decision,
        (error) => failed(error, request, step.source),
      );
    } catch (error) {
      return failed(error, request, step.source);
    }
  }

  function failed(error: unknown, request: RequestView, source: string): Decision {
    if (error instanceof RequestInvalidError || error instanceof BodyTooLargeError)
      return refusedBy(error.refusal, request);
    const failure = failureOf(error, source);
    report(options.onError, failure);
    return refusedBy(failureRefusal(failure), request);
  }

  function decideSteps(
    request: RequestView,
    opts: AuthenticateOptions,
    step: { source: string },
  ): MaybePromise<Decision> {
    // A CORS preflight carries no credentials by design (Fetch standard, CORS-preflight request).
    if (isPreflight(request)) return { outcome: 'preflight' };

    const field = opts.authorization ?? request.headers.get('authorization');
    // An empty value is a field sent empty (400); an empty list, no field at all.
    const authorization: AuthorizationParseResult | undefined =
      field === null || (typeof field !== 'string' && field.length === 0) ? undefined : parseAuthorization(field);
    if (authorization && !authorization.ok)
      return refusedBy({ reason: 'credentials_malformed', detail: `${capitalize(authorization.message)}.` }, request);

    const guardRequest = new LazyGuardRequest(request, authorization, opts.body, opts.clientAddress);
    let chosen: { scheme: Scheme<unknown>; credentials: unknown } | undefined;
    for (const scheme of schemes) {
      const detection = scheme.detect(guardRequest);
      if (!detection.present) continue;
      if ('malformed' in detection)
        return refusedBy(
          {
            reason: 'credentials_malformed',
            scheme: scheme.name,
            detail: `${capitalize(detection.malformed)}.`,
          },
          request,
        );
      if (!chosen || scheme.precedence > chosen.scheme.precedence)
        chosen = { scheme, credentials: detection.credentials };
    }
    if (!chosen) {
      if (authorization?.ok && !authorizationSchemes.has((authorization.credentials.scheme ?? '').toLowerCase())) {
        // The scheme the client sent is not echoed: a credential sent without a scheme would sit there.
        return refusedBy(
          {
            reason: 'scheme_unsupported',
            detail: `This endpoint does not accept the authentication scheme sent; use ${accepted}.`,
          },
          request,
        );
      }
      return refusedBy({ reason: 'credentials_missing', detail: `Send credentials: ${accepted}.` }, request);
    }
    const { scheme, credentials } = chosen;
    step.source = `scheme "${scheme.name}"`;
    if (scheme.needsBody && guardRequest.body === undefined) {
      if (!request.clone)
        throw invalidArgument('guard.authenticate: this scheme verifies the body; pass options.body or a Request');
      // Counted while it streams: a body past the limit is 413 before it is all read.
      return readBodyOf(request.clone(), request.headers.get('content-length')).then((body) => {
        guardRequest.body = body;
        return verified(scheme.verify(credentials, guardRequest), request, opts, step);
      });
    }
    return verified(scheme.verify(credentials, guardRequest), request, opts, step);
  }

  async function readBodyOf(
    copy: ReturnType<NonNullable<RequestView['clone']>>,
    contentLength: string | null,
  ): Promise<Uint8Array> {
    const stream = (copy as { body?: unknown }).body;
    if (stream instanceof ReadableStream || stream === null)
      return readLimited(stream as ReadableStream<Uint8Array> | null, maxBodyBytes, contentLength);
    const body = new Uint8Array(await copy.arrayBuffer());
    if (body.byteLength > maxBodyBytes) throw new BodyTooLargeError(maxBodyBytes);
    return body;
  }

  function verified(
    result: MaybePromise<Principal | Refusal>,
    request: RequestView,
    opts: AuthenticateOptions,
    step: { source: string },
  ): MaybePromise<Decision> {
    return whenSettled(result, (settled) => authorized(settled, request, opts, step));
  }

  function authorized(
    result: Principal | Refusal,
    request: RequestView,
    opts: AuthenticateOptions,
    step: { source: string },
  ): MaybePromise<Decision> {
    if (isRefusal(result)) return refusedBy(result, request);
    const permission = opts.permission ?? options.permission;
    if (!permission) return { outcome: 'authenticated', principal: result };
    step.source = 'permission';
    return whenSettled(permission.check(result, request), (allowed) =>
      allowed === true ? { outcome: 'authenticated', principal: result } : refusedBy(allowed, request),
    );
  }

  function refusedBy(refusal: Refusal, request: RequestView): Decision {
    options.onRefusal?.(refusal, request);
    return { outcome: 'refused', refusal };
  }

  function refuse(refusal: Refusal): Response {
    const reason = reasons[refusal.reason];
    if (!reason) throw invalidArgument(`refuse: ${JSON.stringify(refusal.reason)} is not in the reason catalogue`);
    const headers = new Headers({ 'cache-control': 'no-store' });
    const challenges = challengesFor(refusal);
    if (challenges.length > 0) headers.set('www-authenticate', formatChallenges(challenges));
    if (refusal.retryAfterMs !== undefined)
      headers.set('retry-after', String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))));
    const detail = refusal.detail ?? reason.title;
    let body: string;
    if (shape === 'detail') {
      headers.set('content-type', 'application/json');
      body = JSON.stringify({ detail });
    } else {
      headers.set('content-type', PROBLEM_CONTENT_TYPE);
      body = JSON.stringify(
        createProblem(refusal.reason, {
          detail,
          ...(refusal.scope?.length ? { extensions: { scope: refusal.scope.join(' ') } } : {}),
        }),
      );
    }
    return new Response(body, { status: reason.status, headers });
  }

  function challengesFor(refusal: Refusal): Challenge[] {
    const status = reasons[refusal.reason].status;
    const all = schemes.map((s) => s.challenge(realm, refusal)).filter((c): c is Challenge => c !== undefined);
    // RFC 9110 §15.5.2: a 401 carries a challenge for every scheme the endpoint accepts.
    if (status === 401) return all;
    // RFC 6750 §3.1: invalid_request (400) and insufficient_scope (403) are told through the Bearer challenge.
    if (refusal.reason === 'credentials_malformed' || refusal.reason === 'insufficient_scope')
      return all.filter((c) => c.params['error'] !== undefined);
    return [];
  }

  return {
    needsBody: schemes.some((s) => s.needsBody),
    maxBodyBytes,
    hasCorsPolicy: cors !== undefined,
    authenticate: async (request, opts = {}) => decideNow(request, opts),
    decide: (request, opts = {}) => decideNow(request, opts),
    refuse,
    preflight: (request) => (cors ? cors.preflight(request) : preflightWithoutPolicy()),
    allowance: (request) => cors?.allowance(request),
    openapi(permission) {
      const requires = (permission ?? options.permission)?.requires ?? { scopes: [], roles: [] };
      return {
        securitySchemes: Object.fromEntries(schemes.map((s) => [s.name, s.openapi()])),
        // Any one scheme will do; OpenAPI 3.1 lets non-OAuth schemes list roles.
        security: schemes.map((s) => ({ [s.name]: [...(s.name === 'bearer' ? requires.scopes : requires.roles)] })),
      };
    },
  };
}

/**
 * The request as schemes see it. The URL and the cookies are parsed only for a scheme that reads
 * them (API keys in the query, signatures, sessions), not on every Bearer or Basic request; a class,
 * so every request's object has the same shape.
 */
class LazyGuardRequest implements GuardRequest {
  readonly request: RequestView;
  readonly authorization: AuthorizationParseResult | undefined;
  body: Uint8Array | undefined;
  #url: URL | undefined;
  #cookies: ReadonlyMap<string, string> | undefined;
  readonly #clientAddress: string | undefined;
  constructor(
    request: RequestView,
    authorization: AuthorizationParseResult | undefined,
    body: Uint8Array | undefined,
    clientAddress: string | undefined,
  ) {
    this.request = request;
    this.authorization = authorization;
    this.body = body;
    this.#clientAddress = clientAddress;
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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
