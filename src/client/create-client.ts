/**
 * `createClient`: the pipeline of stages a call passes through, outermost first:
 * deadline → retry (backoff, Retry-After, origin cooldown) → redirect (credentials stay with
 * their origin) → auth (apply credentials; on 401 maybe recover once) → cookies → transport.
 */
import { authStage } from './auth-stage.ts';
import { requestBuilder } from './build-request.ts';
import { Call, errorForResponse, finalError } from './call.ts';
import { ClientSecrets } from './client-secrets.ts';
import { createCookieJar } from './cookie-jar.ts';
import { type CookieJarLike, cookieStage } from './cookies.ts';
import { CredentialOrigins } from './credential-origins.ts';
import { guardBody } from './guarded-body.ts';
import { NO_LISTENER, normalizeOptions } from './normalize-options.ts';
import type { ClientOptions, ClientRequestInit, NormalizedOptions } from './options.ts';
import { OriginConcurrency } from './origin-concurrency.ts';
import { OriginCooldown } from './origin-cooldown.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { redirectStage } from './redirect.ts';
import { sendWithRetry } from './retry.ts';
import { type Send, transportSend } from './transport.ts';

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
 * What each client holds per origin, so tests can check it stays bounded. Not exported from the
 * package: a WeakMap keyed by the client adds nothing to the client object and keeps nothing alive.
 */
export const perOriginState: WeakMap<Client, { cooldown: OriginCooldown; concurrency: OriginConcurrency }> =
  new WeakMap();

/**
 * @example
 * const api = createClient({ baseUrl: 'https://api.example.com/v1/', auth: bearer(source), retry: { limit: 3 } });
 * const me = await (await api.get('me')).json();
 */
export function createClient(options: ClientOptions = {}): Client {
  const config = normalizeOptions(options);
  const cooldown = new OriginCooldown();
  const concurrency = new OriginConcurrency();
  const secrets = new ClientSecrets(config);
  const origins = new CredentialOrigins(config);
  const requests = requestBuilder(config, origins, secrets);
  const send = pipeline(config, origins, secrets);

  // The frame of a call keeps only what every call needs; reporting a response and making its
  // error happen in functions of their own, whose frames exist only when they run.
  // `method`, from get(), post() and the others, takes the place of init.method.
  async function call(input: string | URL | Request, init: ClientRequestInit = {}, method?: string): Promise<Response> {
    const isRequest = input instanceof Request;
    const request = isRequest
      ? await requests.fromRequest(input, method === undefined ? init : { ...init, method })
      : requests.fromUrl(input, init, method);
    const callerSignal = init.signal ?? (isRequest ? input.signal : undefined) ?? undefined;
    const state = new Call(request, callerSignal, config, cooldown, concurrency, secrets);
    let response: Response;
    try {
      response = guardBody(await sendWithRetry(request, state, send), state);
    } catch (error) {
      throw finalError(error, state);
    } finally {
      state.total.dispose();
    }
    if (config.onResponse !== NO_LISTENER) report(response, request, state);
    if (response.ok || !(init.throwHttpErrors ?? config.throwHttpErrors) || response.type === 'opaqueredirect')
      return response;
    if (response.status >= 300 && response.status < 400 && !config.redirect.follow) return response;
    throw await errorForResponse(response, request, state, origins, secrets);
  }

  function report(response: Response, request: OutgoingRequest, state: Call): void {
    config.onResponse({
      method: request.method,
      url: state.url,
      status: response.status,
      attempts: state.attempts,
      response,
    });
  }

  // No copy of init per call: the method goes beside it.
  const withMethod =
    (method: string) =>
    (url: string | URL, init: ClientRequestInit = {}): Promise<Response> =>
      call(url, init, method);

  const client: Client = {
    fetch: (input, init) => call(input, init),
    get: withMethod('GET'),
    head: withMethod('HEAD'),
    post: withMethod('POST'),
    put: withMethod('PUT'),
    patch: withMethod('PATCH'),
    delete: withMethod('DELETE'),
  };
  perOriginState.set(client, { cooldown, concurrency });
  return client;
}

/** The stages below the retry loop, innermost last: redirect → auth → cookies → transport. */
function pipeline(config: NormalizedOptions, origins: CredentialOrigins, secrets: ClientSecrets): Send {
  let jar: Promise<CookieJarLike> | undefined;
  if (config.cookies === true) jar = createCookieJar();
  else if (config.cookies) jar = Promise.resolve(config.cookies);

  const transport = transportSend(config.fetch);
  const withCookies: Send = jar
    ? async (request, context) => cookieStage(await jar, transport)(request, context)
    : transport;
  const withAuth = authStage(config.auth, config.onRefresh, withCookies);
  return redirectStage(
    config.redirect,
    {
      home: origins.home,
      secretParams: secrets.params,
      secretsOf: (request) => secrets.credentialsIn(request),
      show: (url) => secrets.show(url),
    },
    (event) => config.onRedirect({ ...event, from: secrets.show(event.from), to: secrets.show(event.to) }),
    withAuth,
  );
}
