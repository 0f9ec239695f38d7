import type { RequestBody } from './request-body.ts';

/**
 * A request on its way through the client's stages. Unlike a fetch `Request`, its body can be
 * sent again, and each stage may change its URL and headers for the next send.
 */
export interface OutgoingRequest {
  url: URL;
  /** Upper-case. */
  method: string;
  headers: Headers;
  body: RequestBody;
  /**
   * Whether credentials may be attached at this URL: true for the origin the call started at
   * and for origins the configuration trusts; false after a redirect elsewhere.
   */
  credentialsAllowed: boolean;
}

/** A copy whose headers a stage can change without touching the original. */
export function copyRequest(request: OutgoingRequest, changes?: Partial<OutgoingRequest>): OutgoingRequest {
  const copy = { ...request, headers: new Headers(request.headers) };
  return changes === undefined ? copy : { ...copy, ...changes };
}

/** The request-target a server sees: path and query (RFC 9112 §3.2.1 origin-form). */
export function pathAndQuery(url: URL): string {
  // An empty query is still sent as "?" (fetch sends the serialised URL), though `search` is "".
  if (url.search === '') {
    const fragment = url.href.indexOf('#');
    if (url.href.endsWith('?', fragment < 0 ? undefined : fragment)) return `${url.pathname}?`;
  }
  return url.pathname + url.search;
}
