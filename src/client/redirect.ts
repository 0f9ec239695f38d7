/**
 * The redirect stage: follows redirects hop by hop so that credentials stay with their origin.
 * Leaving the origin (scheme, host or port; https→http included) drops every credential-bearing
 * header the caller set (the shared CREDENTIAL_HEADERS list: Authorization, Cookie, X-API-Key,
 * Api-Key, X-Auth-Token…, plus `redirect.secretHeaders`), whatever the new origin. Credentials
 * meant for several origins belong in the auth strategy: the auth stage below applies the
 * strategy's credentials again at the call's origin (the baseUrl's, else the first URL's) and at
 * the origins the configuration trusts, never after a step from https down to http.
 *
 * A Location is the server's text, and it may hand the client's own secrets on: a canonical-host
 * redirect keeps the query (nginx `return 308 https://new$request_uri`), so a key sent in the
 * query would reach the new host. Where the strategy's credentials are not applied, every query
 * parameter that carries a credential is removed (the strategy's secret parameters by name, and
 * any parameter whose value is a secret this call sent, in any of the forms redaction knows);
 * a secret anywhere else in the Location (path, host, fragment, userinfo, inside a longer value)
 * cannot be cut out, so the redirect is refused (RedirectSecretError).
 */

import { CREDENTIAL_HEADERS } from '../http/credential-headers.ts';
import { CONTENT_HEADERS, REDIRECT_STATUSES, redirectedMethod } from '../http/redirect-method.ts';
import { secretForms } from '../http/secret-forms.ts';
import { secretRedactor } from '../http/secret-redactor.ts';
import { sentFor } from './auth-stage.ts';
import { RedirectSecretError } from './errors/credential-origin-errors.ts';
import { TooManyRedirectsError } from './errors/too-many-redirects-error.ts';
import { copyRequest, type OutgoingRequest } from './outgoing-request.ts';
import { RequestBody } from './request-body.ts';
import { discard, NATIVE_REDIRECTS, type Send, type SendContext } from './transport.ts';

export interface RedirectOptions {
  /** Follow redirects. When false, a 3xx is returned as it is. @default true */
  follow?: boolean;
  /** The most hops one call follows. @default 20 */
  max?: number;
  /**
   * Origins (`https://auth.example.com`) where the strategy's credentials are applied too (never
   * reached from https by a step down to http). Credential headers set by hand never follow. @default []
   */
  trustedOrigins?: readonly string[];
  /** Header names dropped when a redirect leaves the origin, besides CREDENTIAL_HEADERS. @default [] */
  secretHeaders?: readonly string[];
}

export interface RedirectEvent {
  from: string;
  to: string;
  status: number;
  /**
   * What was dropped because the redirect left the origin: header names, and query parameters
   * that carried a credential as `?name` (`?api_key`).
   */
  dropped: string[];
  /** Whether the auth strategy's credentials are applied at the new URL. */
  credentialsAllowed: boolean;
}

/** What the redirect stage knows of the client it serves. */
export interface RedirectContext {
  /** The origin the client's credentials belong to (its baseUrl's); undefined: each call's first URL's. */
  home: string | undefined;
  /** Query parameters that carry the strategy's secret (`apiKey({ query })`). */
  secretParams: readonly string[];
  /** The secrets a request carried as it was sent (credential headers, secret query values). */
  secretsOf(request: OutgoingRequest): string[];
  /** A URL as a message may show it (secret query values masked). */
  show(url: URL): string;
}

/** The header names a redirect to another origin drops: the shared list and the client's own. */
export function credentialHeaderNames(options: Required<RedirectOptions>): string[] {
  return [...new Set([...CREDENTIAL_HEADERS, ...options.secretHeaders.map((h) => h.toLowerCase())])];
}

export function redirectStage(
  options: Required<RedirectOptions>,
  client: RedirectContext,
  onRedirect: (event: RedirectEvent, request: OutgoingRequest) => void,
  next: Send,
): Send {
  const rules: RedirectRules = {
    options,
    client,
    onRedirect,
    secret: credentialHeaderNames(options),
    trusted: new Set(options.trustedOrigins.map((o) => new URL(o).origin)),
    secretParams: new Set(client.secretParams.map((p) => p.toLowerCase())),
  };
  const followed = (response: Response) =>
    options.follow && !NATIVE_REDIRECTS && REDIRECT_STATUSES.has(response.status);

  /** Follows `first`, the redirect `initial` drew, hop by hop to the first answer not followed. */
  const follow = async (initial: OutgoingRequest, first: Response, context: SendContext): Promise<Response> => {
    const chain: Chain = {
      initial,
      startOrigin: client.home ?? initial.url.origin,
      wasSecure: initial.url.protocol === 'https:',
      sent: new Set(),
    };
    let request = initial;
    let response = first;
    for (let hop = 0; ; hop++) {
      const target = locationOf(response, request.url);
      if (target === undefined) return response;
      await discard(response);
      if (hop >= options.max) throw new TooManyRedirectsError(options.max);
      request = redirected(rules, chain, request, response, target);
      response = await next(request, context);
      if (!followed(response)) return response;
    }
  };

  // Not async: an answer that is not followed, as most are not, passes on as the next stage gave it.
  return (initial, context) => {
    let first: Promise<Response>;
    try {
      first = next(initial, context);
    } catch (error) {
      return Promise.reject(error);
    }
    return first.then((response) => (followed(response) ? follow(initial, response, context) : response));
  };
}

/** What the redirect stage holds for the life of the client. */
interface RedirectRules {
  options: Required<RedirectOptions>;
  client: RedirectContext;
  onRedirect: (event: RedirectEvent, request: OutgoingRequest) => void;
  /** The credential header names a redirect to another origin drops. */
  secret: readonly string[];
  trusted: ReadonlySet<string>;
  secretParams: ReadonlySet<string>;
}

/** One call's chain of redirects. */
interface Chain {
  initial: OutgoingRequest;
  startOrigin: string;
  /** Once the chain has been on https, no http origin gets the strategy's credentials, trusted or not. */
  wasSecure: boolean;
  /** Every secret this call has sent so far: a later Location may repeat any of them. */
  sent: Set<string>;
}

/** Where a redirect leads, if it leads anywhere the client follows (an http or https URL). */
function locationOf(response: Response, base: URL): URL | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  let target: URL;
  try {
    target = new URL(location, base);
  } catch {
    return undefined;
  }
  return target.protocol === 'http:' || target.protocol === 'https:' ? target : undefined;
}

/** The request the redirect `response` to `request` leads to, its credentials where they belong. */
function redirected(
  rules: RedirectRules,
  chain: Chain,
  request: OutgoingRequest,
  response: Response,
  target: URL,
): OutgoingRequest {
  const { client, secret } = rules;
  // A 3xx is not ok, so the auth stage kept what it sent for it; without a strategy, the request went as it is.
  for (const value of client.secretsOf(sentFor.get(response) ?? request)) chain.sent.add(value);
  const downgrade = chain.wasSecure && target.protocol === 'http:';
  if (target.protocol === 'https:') chain.wasSecure = true;
  // A call sent without credentials (to an origin they do not belong to) gets none wherever it
  // is sent on: that origin chose the Location, even one that leads back to the baseUrl's.
  const credentialsAllowed =
    chain.initial.credentialsAllowed &&
    !downgrade &&
    (target.origin === chain.startOrigin || rules.trusted.has(target.origin));
  let droppedParams: string[] = [];
  if (!credentialsAllowed) {
    droppedParams = dropSecretParams(target, rules.secretParams, chain.sent);
    refuseCarriedSecret(request.url, target, response.status, chain.sent, client.show);
  }
  const dropped: string[] = [];
  const nextRequest = redirectedRequest(request, response.status, target);
  if (target.origin !== request.url.origin) {
    for (const name of secret) {
      if (nextRequest.headers.has(name)) {
        nextRequest.headers.delete(name);
        dropped.push(name);
      }
    }
  }
  dropped.push(...droppedParams);
  nextRequest.credentialsAllowed = credentialsAllowed;
  const event = { from: request.url.href, to: target.href, status: response.status, dropped, credentialsAllowed };
  rules.onRedirect(event, nextRequest);
  return nextRequest;
}

/**
 * Removes from `target`'s query every parameter that carries a credential: the strategy's
 * secret parameters by name, and any parameter whose value is one of the sent secrets in one of
 * the forms redaction knows (raw, base64, percent-encoded…). Returns them as `?name`.
 */
function dropSecretParams(target: URL, secretParams: ReadonlySet<string>, sent: ReadonlySet<string>): string[] {
  if (target.search === '') return [];
  const forms = new Set<string>();
  for (const value of sent) for (const form of secretForms(value)) forms.add(form);
  const dropped = new Set<string>();
  for (const [name, value] of [...target.searchParams]) {
    if (secretParams.has(name.toLowerCase())) {
      target.searchParams.delete(name);
      dropped.add(name);
    } else if (forms.has(value)) {
      target.searchParams.delete(name, value);
      dropped.add(name);
    }
  }
  return [...dropped].map((name) => `?${name}`);
}

/** Throws when a sent secret is still anywhere in `target` (as written, or percent-decoded). */
function refuseCarriedSecret(
  from: URL,
  target: URL,
  status: number,
  sent: ReadonlySet<string>,
  show: (url: URL) => string,
): void {
  if (sent.size === 0) return;
  // Lower-cased too: the parser lower-cases a host name, and the DNS query for one would carry the secret.
  const scrub = secretRedactor([...sent].flatMap((value) => [value, value.toLowerCase()]));
  const carries = (text: string) => scrub(text) !== text;
  let decoded = target.href;
  try {
    decoded = decodeURIComponent(target.href);
  } catch {}
  if (!carries(target.href) && !carries(decoded)) return;
  throw new RedirectSecretError({ from: scrub(show(from)), to: scrub(show(target)), status });
}

// RFC 9110 §15.4.2–§15.4.4: see redirectedMethod.
function redirectedRequest(request: OutgoingRequest, status: number, target: URL): OutgoingRequest {
  const { method, dropsBody } = redirectedMethod(request.method, status);
  if (!dropsBody) return copyRequest(request, { url: target });
  const next = copyRequest(request, { url: target, method, body: new RequestBody(null) });
  for (const name of CONTENT_HEADERS) next.headers.delete(name);
  // The key names the POST (or PATCH) that was applied once; the GET it became is another request,
  // idempotent by itself, and a server that keeps keys must not answer it as that POST.
  next.headers.delete('idempotency-key');
  return next;
}
