/**
 * `createClient`: the pipeline of stages a call passes through, outermost first:
 * deadline → retry (backoff, Retry-After, origin cooldown) → redirect (credentials stay with
 * their origin) → auth (apply credentials; on 401 maybe recover once) → cookies → transport.
 */
import { invalidArgument } from '../http/argument-error.ts';
import { headerSecrets, isCredentialHeader, isSecretHeader, redactUrl, urlSecrets } from '../http/index.ts';
import { authNotes, authStage, sentFor } from './auth-stage.ts';
import { type CookieJarLike, cookieStage, createCookieJar } from './cookies.ts';
import { Budget, BudgetExpired } from './deadline.ts';
import { CrossOriginCredentialsError } from './errors/credential-origin-errors.ts';
import { httpErrorFor } from './errors/http-error.ts';
import { TimeoutError } from './errors/timeout-error.ts';
import { type BodyContext, guardBody } from './guarded-body.ts';
import {
  type ClientOptions,
  NO_LISTENER,
  type NormalizedOptions,
  normalizeOptions,
  type OtherOrigins,
  otherOriginsOption,
} from './options.ts';
import { OriginConcurrency } from './origin-concurrency.ts';
import { OriginCooldown } from './origin-cooldown.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { readProblem } from './problem-body.ts';
import { credentialHeaderNames, redirectStage, TooManyRedirectsError } from './redirect.ts';
import { type BodySource, RequestBody } from './request-body.ts';
import { type CallState, sendWithRetry } from './retry.ts';
import { isRetrySafe } from './retry-policy.ts';
import { type Send, transportSend } from './transport.ts';

export interface ClientRequestInit extends Omit<RequestInit, 'body'> {
  /** Anything fetch takes, or `() => body` to make a fresh one (a stream) for every send. */
  body?: BodySource;
  /** Overrides the client's throwHttpErrors for this call. */
  throwHttpErrors?: boolean;
  /** Overrides the client's otherOrigins for this call: 'omit' sends it to another origin without credentials. */
  otherOrigins?: OtherOrigins;
}

export interface Client {
  /** fetch's signature and semantics, through the client's pipeline. */
  fetch(input: string | URL | Request, init?: ClientRequestInit): Promise<Response>;
  get(url: string | URL, init?: ClientRequestInit): Promise<Response>;
  head(url: string | URL, init?: ClientRequestInit): Promise<Response>;
  post(url: string | URL, init?: ClientRequestInit): Promise<Response>;
  put(url: string | URL, init?: ClientRequestInit): Promise<Response>;
  patch(url: string | URL, init?: ClientRequestInit): Promise<Response>;
  delete(url: string | URL, init?: ClientRequestInit): Promise<Response>;
}

/**
 * @example
 * const api = createClient({ baseUrl: 'https://api.example.com/v1/', auth: bearer(source), retry: { limit: 3 } });
 * const me = await (await api.get('me')).json();
 */
export function createClient(options: ClientOptions = {}): Client {
  const config = normalizeOptions(options);
  const cooldown = new OriginCooldown();
  const concurrency = new OriginConcurrency();
  const secretParams = config.auth?.secretQueryParams ?? [];
  const secretHeaders = new Set(
    [...(config.auth?.secretHeaders ?? []), ...config.redirect.secretHeaders].map((h) => h.toLowerCase()),
  );
  // With a baseUrl, the client's credentials belong to its origin and the trusted ones; without,
  // to whatever origin each call starts at (the redirect stage keeps them there).
  const homeOrigin = config.baseUrl?.origin;
  const credentialOrigins =
    homeOrigin === undefined
      ? undefined
      : [...new Set([homeOrigin, ...config.redirect.trustedOrigins.map((o) => new URL(o).origin)])];
  const credentialHeaders = credentialHeaderNames(config.redirect);
  const holdsCredentials = config.auth !== undefined || credentialHeaders.some((name) => config.headers.has(name));
  // The default headers a call to another origin starts from.
  const publicHeaders = new Headers(config.headers);
  for (const name of credentialHeaders) publicHeaders.delete(name);
  let jar: Promise<CookieJarLike> | undefined;
  if (config.cookies === true) jar = createCookieJar();
  else if (config.cookies) jar = Promise.resolve(config.cookies);

  const transport = transportSend(config.fetch);
  const withCookies: Send = jar
    ? async (request, context) => cookieStage(await jar, transport)(request, context)
    : transport;
  const withAuth = authStage(config.auth, config.onRefresh, withCookies);
  const withRedirects = redirectStage(
    config.redirect,
    {
      home: homeOrigin,
      secretParams,
      // Only what carries credentials: a redirect refused for an idempotency key would be a false alarm.
      secretsOf: (request) =>
        carriedSecrets([request], (name) => isCredentialHeader(name) || secretHeaders.has(name), secretParams),
      show: (url) => redactUrl(url, secretParams),
    },
    (event) =>
      config.onRedirect({ ...event, from: redactUrl(event.from, secretParams), to: redactUrl(event.to, secretParams) }),
    withAuth,
  );

  async function call(input: string | URL | Request, init: ClientRequestInit = {}): Promise<Response> {
    // A Request's body is read first; a URL needs no await (one async step fewer on every call).
    const request = input instanceof Request ? await fromRequest(input, init) : buildRequest(input, init);
    const callerSignal = init.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const state = new Call(request, callerSignal, config, cooldown, concurrency, secretParams);
    let response: Response;
    try {
      response = guardBody(await sendWithRetry(request, state, withRedirects), state);
    } catch (error) {
      throw finalError(error, state);
    } finally {
      state.total.dispose();
    }
    if (config.onResponse !== NO_LISTENER)
      config.onResponse({
        method: request.method,
        url: state.url,
        status: response.status,
        attempts: state.attempts,
        response,
      });

    const throwHttpErrors = init.throwHttpErrors ?? config.throwHttpErrors;
    if (response.ok || !throwHttpErrors || response.type === 'opaqueredirect') return response;
    if (response.status >= 300 && response.status < 400 && !config.redirect.follow) return response;
    const withheld =
      !request.credentialsAllowed && holdsCredentials
        ? `Sent without this client's credentials: ${request.url.origin} is not its baseUrl origin nor a trusted one (otherOrigins: 'omit').`
        : undefined;
    const note = [authNotes.get(response), state.note, withheld].filter(Boolean).join(' ') || undefined;
    throw httpErrorFor({
      response,
      method: request.method,
      url: state.url,
      attempts: state.attempts,
      problem: await readProblem(response),
      note,
      retryAfterMs: state.retryAfterMs,
      secrets: carriedSecrets(
        [request, sentFor.get(response)],
        (name) => isSecretHeader(name) || secretHeaders.has(name),
        secretParams,
      ),
    });
  }

  async function fromRequest(input: Request, init: ClientRequestInit): Promise<OutgoingRequest> {
    const url = new URL(input.url);
    const method = (init.method ?? input.method).toUpperCase();
    const { headers, credentialsAllowed } = defaultsFor(url, method, init);
    for (const [name, value] of input.headers) headers.set(name, value);
    // A Request's body is a one-shot stream: read it once so it can be replayed.
    const body: BodySource = input.body === null ? null : new Uint8Array(await input.arrayBuffer());
    return finish(url, method, headers, body, init, credentialsAllowed);
  }

  function buildRequest(input: string | URL, init: ClientRequestInit): OutgoingRequest {
    const url = resolveUrl(input, config.baseUrl);
    const method = (init.method ?? 'GET').toUpperCase();
    const { headers, credentialsAllowed } = defaultsFor(url, method, init);
    return finish(url, method, headers, null, init, credentialsAllowed);
  }

  /**
   * The headers a call starts from, and whether the client's credentials go with it. A call that
   * names an origin its credentials do not belong to (a `next` link from an answer) is refused
   * before anything is sent, or with otherOrigins: 'omit' sent without them: without the strategy
   * and without the credential headers of the client's `headers` (those the call sets itself go).
   */
  function defaultsFor(
    url: URL,
    method: string,
    init: ClientRequestInit,
  ): { headers: Headers; credentialsAllowed: boolean } {
    if (credentialOrigins === undefined || credentialOrigins.includes(url.origin))
      return { headers: new Headers(config.headers), credentialsAllowed: true };
    if (holdsCredentials && otherOriginsOption(init.otherOrigins, 'otherOrigins', config.otherOrigins) === 'throw') {
      throw new CrossOriginCredentialsError({
        method,
        url: redactUrl(url, secretParams),
        origin: url.origin,
        allowed: credentialOrigins,
      });
    }
    return { headers: new Headers(publicHeaders), credentialsAllowed: false };
  }

  function finish(
    url: URL,
    method: string,
    headers: Headers,
    body: BodySource,
    init: ClientRequestInit,
    credentialsAllowed: boolean,
  ): OutgoingRequest {
    if (init.method !== undefined) method = init.method;
    if (init.headers !== undefined) for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
    if (init.body !== undefined) body = init.body;
    method = method.toUpperCase();
    if ((method === 'POST' || method === 'PATCH') && config.retry.idempotencyKey && !headers.has('idempotency-key')) {
      // One key for every attempt of this call: the server applies the request once (draft-ietf-httpapi-idempotency-key-header).
      headers.set('idempotency-key', crypto.randomUUID());
    }
    return { url, method, headers, body: new RequestBody(body), credentialsAllowed };
  }

  const withMethod =
    (method: string) =>
    (url: string | URL, init: ClientRequestInit = {}): Promise<Response> =>
      call(url, { ...init, method });

  return {
    fetch: call,
    get: withMethod('GET'),
    head: withMethod('HEAD'),
    post: withMethod('POST'),
    put: withMethod('PUT'),
    patch: withMethod('PATCH'),
    delete: withMethod('DELETE'),
  };
}

/**
 * One call's state: what the retry stage keeps track of, and what a guarded body needs to explain
 * a cut. One object per call, its URL as messages show it worked out only if one is shown.
 */
class Call implements CallState, BodyContext {
  readonly method: string;
  readonly total: Budget;
  readonly callerSignal: AbortSignal | undefined;
  readonly attemptTimeout: number | undefined;
  readonly policy: CallState['policy'];
  readonly cooldown: OriginCooldown;
  readonly concurrency: OriginConcurrency;
  readonly onRetry: CallState['onRetry'];
  attempts = 0;
  note: string | undefined = undefined;
  retryAfterMs: number | undefined = undefined;
  readonly #request: OutgoingRequest;
  readonly #secretParams: readonly string[];
  #shown: string | undefined;

  constructor(
    request: OutgoingRequest,
    callerSignal: AbortSignal | undefined,
    config: NormalizedOptions,
    cooldown: OriginCooldown,
    concurrency: OriginConcurrency,
    secretParams: readonly string[],
  ) {
    this.#request = request;
    this.#secretParams = secretParams;
    this.method = request.method;
    this.callerSignal = callerSignal;
    this.total = new Budget('total', config.timeout.total, callerSignal);
    this.attemptTimeout = config.timeout.attempt;
    this.policy = config.retry;
    this.cooldown = cooldown;
    this.concurrency = concurrency;
    this.onRetry = config.onRetry;
  }

  get url(): string {
    this.#shown ??= redactUrl(this.#request.url, this.#secretParams);
    return this.#shown;
  }

  get resendSafe(): boolean {
    return isRetrySafe(this.#request.method, this.#request.headers, this.policy);
  }
}

/** The secrets the requests carried: the values of the headers `isSecret` names, and secret query values. */
function carriedSecrets(
  requests: Array<OutgoingRequest | undefined>,
  isSecret: (name: string) => boolean,
  secretParams: readonly string[],
): string[] {
  const secrets: string[] = [];
  for (const request of requests) {
    if (!request) continue;
    for (const [name, value] of request.headers) if (isSecret(name)) secrets.push(...headerSecrets(name, value));
    secrets.push(...urlSecrets(request.url, secretParams));
  }
  return secrets;
}

function resolveUrl(input: string | URL, baseUrl: URL | undefined): URL {
  if (input instanceof URL) return new URL(input.href);
  if (typeof input !== 'string') throw new TypeError('client.fetch(input): input must be a string, URL or Request');
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return new URL(input);
  if (!baseUrl) throw new TypeError(`client.fetch(${JSON.stringify(input)}): a relative URL needs the baseUrl option`);
  // Joined as a path below baseUrl, so 'users' and '/users' both land under /v1/.
  const url = new URL(input.replace(/^\/+/, ''), baseUrl);
  // The URL parser reads a backslash as a slash and drops leading spaces, tabs and newlines, so
  // `\\evil/x` and ` //evil/x` name another host. A relative URL never leaves the baseUrl's origin.
  if (url.origin !== baseUrl.origin)
    throw invalidArgument(
      `client.fetch(input): the relative URL given resolves to ${url.origin}, outside the baseUrl origin (${baseUrl.origin}); pass an absolute URL to call another origin`,
    );
  return url;
}

function finalError(error: unknown, state: CallState): unknown {
  if (error instanceof TooManyRedirectsError) {
    return new TooManyRedirectsError(error.max, `${state.method} ${state.url}`);
  }
  if (error instanceof BudgetExpired) {
    return new TimeoutError({
      which: error.which,
      timeoutMs: state.total.ms ?? 0,
      method: state.method,
      url: state.url,
      attempts: state.attempts,
    });
  }
  return error;
}
