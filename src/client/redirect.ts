/**
 * The redirect stage: follows redirects hop by hop so that credentials stay with their origin.
 * Leaving the origin (scheme, host or port; https→http included) drops every credential-bearing
 * header the caller set (the shared CREDENTIAL_HEADERS list: Authorization, Cookie, X-API-Key,
 * Api-Key, X-Auth-Token…, plus `redirect.secretHeaders`), whatever the new origin. Credentials
 * meant for several origins belong in the auth strategy: the auth stage below applies the
 * strategy's credentials again at the starting origin and at the origins the configuration
 * trusts, never after a step from https down to http.
 */
import { CREDENTIAL_HEADERS } from '../http/credential-headers.ts';
import { GatehouseError } from './errors/gatehouse-error.ts';
import { copyRequest, type OutgoingRequest } from './outgoing-request.ts';
import { RequestBody } from './request-body.ts';
import { discard, NATIVE_REDIRECTS, type Send } from './transport.ts';

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
  /** Header names dropped because the redirect left the origin. */
  dropped: string[];
  /** Whether the auth strategy's credentials are applied at the new URL. */
  credentialsAllowed: boolean;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class TooManyRedirectsError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TOO_MANY_REDIRECTS';

  constructor(max: number) {
    super(`more than ${max} redirects (redirect.max)`, TooManyRedirectsError.code);
  }
}

export function redirectStage(
  options: Required<RedirectOptions>,
  onRedirect: (event: RedirectEvent, request: OutgoingRequest) => void,
  next: Send,
): Send {
  const secret = [...new Set([...CREDENTIAL_HEADERS, ...options.secretHeaders.map((h) => h.toLowerCase())])];
  const trusted = new Set(options.trustedOrigins.map((o) => new URL(o).origin));

  return async (initial, context) => {
    const startOrigin = initial.url.origin;
    // Once the chain has been on https, no http origin gets the strategy's credentials, trusted or not.
    let wasSecure = initial.url.protocol === 'https:';
    let request = initial;
    for (let hop = 0; ; hop++) {
      const response = await next(request, context);
      if (!options.follow || NATIVE_REDIRECTS || !REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.get('location');
      if (location === null) return response;
      let target: URL;
      try {
        target = new URL(location, request.url);
      } catch {
        return response;
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') return response;
      if (hop >= options.max) {
        await discard(response);
        throw new TooManyRedirectsError(options.max);
      }
      await discard(response);
      const nextRequest = redirectedRequest(request, response.status, target);
      const dropped: string[] = [];
      const downgrade = wasSecure && target.protocol === 'http:';
      if (target.protocol === 'https:') wasSecure = true;
      if (target.origin !== request.url.origin) {
        for (const name of secret) {
          if (nextRequest.headers.has(name)) {
            nextRequest.headers.delete(name);
            dropped.push(name);
          }
        }
      }
      nextRequest.credentialsAllowed = !downgrade && (target.origin === startOrigin || trusted.has(target.origin));
      onRedirect(
        {
          from: request.url.href,
          to: target.href,
          status: response.status,
          dropped,
          credentialsAllowed: nextRequest.credentialsAllowed,
        },
        nextRequest,
      );
      request = nextRequest;
    }
  };
}

// RFC 9110 §15.4: 303 turns any method but HEAD into GET; 301 and 302 turn POST into GET, as
// every browser does; 307 and 308 keep method and body.
function redirectedRequest(request: OutgoingRequest, status: number, target: URL): OutgoingRequest {
  const toGet =
    (status === 303 && request.method !== 'HEAD') || ((status === 301 || status === 302) && request.method === 'POST');
  if (!toGet) return copyRequest(request, { url: target });
  const next = copyRequest(request, { url: target, method: 'GET', body: new RequestBody(null) });
  for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'])
    next.headers.delete(name);
  return next;
}
