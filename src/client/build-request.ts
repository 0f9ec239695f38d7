/**
 * The request a call starts as: fetch's arguments (a URL, or a Request) over the client's defaults
 * — its baseUrl, its headers where its credentials belong (credential-origins.ts), an
 * Idempotency-Key when the retry policy adds one — with a body that can be sent again.
 */
import { invalidArgument } from '../http/argument-error.ts';
import type { ClientSecrets } from './client-secrets.ts';
import type { CredentialOrigins } from './credential-origins.ts';
import type { ClientRequestInit, NormalizedOptions } from './options.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { type BodySource, RequestBody } from './request-body.ts';

export interface RequestBuilder {
  /** A Request's body is a one-shot stream: it is read here, once, so it can be replayed. */
  fromRequest(input: Request, init: ClientRequestInit): Promise<OutgoingRequest>;
  /** Synchronous: a call made with a URL awaits nothing before its first stage. */
  fromUrl(input: string | URL, init: ClientRequestInit, method?: string): OutgoingRequest;
}

export function requestBuilder(
  config: NormalizedOptions,
  origins: CredentialOrigins,
  secrets: ClientSecrets,
): RequestBuilder {
  const show = (url: URL) => secrets.show(url);

  function finish(
    url: URL,
    method: string,
    headers: Headers,
    body: BodySource,
    init: ClientRequestInit,
    credentialsAllowed: boolean,
  ): OutgoingRequest {
    if (init.headers !== undefined) for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
    if (init.body !== undefined) body = init.body;
    method = method.toUpperCase();
    if ((method === 'POST' || method === 'PATCH') && config.retry.idempotencyKey && !headers.has('idempotency-key')) {
      // One key for every attempt of this call: the server applies the request once (draft-ietf-httpapi-idempotency-key-header).
      headers.set('idempotency-key', crypto.randomUUID());
    }
    return { url, method, headers, body: new RequestBody(body), credentialsAllowed };
  }

  return {
    async fromRequest(input, init) {
      const url = new URL(input.url);
      const method = (init.method ?? input.method).toUpperCase();
      const { headers, credentialsAllowed } = origins.defaultsFor(url, method, init.otherOrigins, show);
      for (const [name, value] of input.headers) headers.set(name, value);
      const body: BodySource = input.body === null ? null : new Uint8Array(await input.arrayBuffer());
      return finish(url, method, headers, body, init, credentialsAllowed);
    },

    fromUrl(input, init, forced) {
      const url = resolveUrl(input, config.baseUrl);
      const method = (forced ?? init.method ?? 'GET').toUpperCase();
      const { headers, credentialsAllowed } = origins.defaultsFor(url, method, init.otherOrigins, show);
      return finish(url, method, headers, null, init, credentialsAllowed);
    },
  };
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
