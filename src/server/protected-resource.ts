/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): the document an API publishes about itself
 * (which authorization servers issue its tokens, which scopes it knows, how it takes a token), the
 * URL it is served at (§3.1), and a fetch-style handler that serves it, for every adapter's
 * `mountFetch`. The guard's `resourceMetadata` option puts that URL in its Bearer challenges (§5.1).
 */
import { invalidArgument } from '../http/argument-error.ts';

/** The well-known URI suffix registered by RFC 9728 §8.3. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceOptions {
  /**
   * The resource identifier (RFC 9728 §2): the URL of the API as its clients call it, such as
   * `https://api.example` or `https://example.com/billing`; no fragment. A client compares it, as a
   * string, to the URL it called (§3.3), and a token for this API names it in `aud` (RFC 8707):
   * give the bearer scheme the same value as `jwt.audience`.
   */
  resource: string;
  /** The issuers of the authorization servers whose tokens this API accepts (`authorization_servers`). */
  authorizationServers?: readonly string[];
  /** The scopes a request to this API may need (`scopes_supported`). */
  scopesSupported?: readonly string[];
  /** Where this API reads a bearer token (RFC 6750 §2). @default ['header'] */
  bearerMethodsSupported?: readonly ('header' | 'body' | 'query')[];
  /** A name for people (`resource_name`). */
  resourceName?: string;
  /** Where a developer reads about this API (`resource_documentation`). */
  resourceDocumentation?: string;
  /** The API's own public keys, if it signs anything (`jwks_uri`). */
  jwksUri?: string;
  /** Other members of the document (RFC 9728 §2 allows more); the ones above win over these. */
  extra?: Readonly<Record<string, unknown>>;
  /** How long a client or a cache may keep the document (Cache-Control max-age). @default 3600 s */
  maxAgeSeconds?: number;
}

/** An API's protected resource metadata: the document, where it lives, and what serves it. */
export interface ProtectedResourceMetadata {
  /** The document (RFC 9728 §2), as served. */
  readonly document: Readonly<Record<string, unknown>>;
  /** Where it is served (RFC 9728 §3.1): what a Bearer challenge names in `resource_metadata`. */
  readonly url: string;
  /** The path of `url`, which `handle` answers. */
  readonly path: string;
  /**
   * Answers `GET`/`HEAD` of `path` with the document (application/json, cacheable); another method
   * there 405; undefined for any other path. Mount it with an adapter's `mountFetch`.
   */
  readonly handle: (request: Request) => Promise<Response | undefined>;
}

/**
 * Where the metadata of `resource` lives (RFC 9728 §3.1): the well-known suffix goes between the
 * host and the path (and query); a resource with no path, or the path `/`, has the bare suffix.
 * @example protectedResourceMetadataUrl('https://example.com/billing') // 'https://example.com/.well-known/oauth-protected-resource/billing'
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = resourceUrl(resource, 'protectedResourceMetadataUrl');
  // §3.1: a terminating slash after the host is removed before the suffix goes in.
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${url.search}`;
}

/**
 * @example
 * const prm = protectedResourceMetadata({ resource: 'https://api.example', authorizationServers: ['https://auth.example'] });
 * const guard = createGuard({ schemes: [bearerScheme({ jwt: { jwks, algorithms: ['EdDSA'], audience: prm.document.resource as string } })], resourceMetadata: prm });
 * @see https://www.rfc-editor.org/rfc/rfc9728
 */
export function protectedResourceMetadata(options: ProtectedResourceOptions): ProtectedResourceMetadata {
  if (!options || typeof options !== 'object')
    throw invalidArgument('protectedResourceMetadata(options): pass { resource: "https://api.example", … }');
  resourceUrl(options.resource, 'protectedResourceMetadata');
  const maxAge = options.maxAgeSeconds ?? 3600;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0)
    throw invalidArgument('protectedResourceMetadata: maxAgeSeconds must be a whole number of seconds');
  const methods = options.bearerMethodsSupported ?? ['header'];
  for (const method of methods)
    if (!['header', 'body', 'query'].includes(method))
      throw invalidArgument('protectedResourceMetadata: bearerMethodsSupported lists "header", "body" or "query"');
  const document = Object.freeze({
    ...options.extra,
    resource: options.resource,
    ...list('authorization_servers', options.authorizationServers),
    ...list('scopes_supported', options.scopesSupported),
    bearer_methods_supported: [...methods],
    ...text('resource_name', options.resourceName),
    ...text('resource_documentation', options.resourceDocumentation),
    ...text('jwks_uri', options.jwksUri),
  });
  const url = protectedResourceMetadataUrl(options.resource);
  const path = new URL(url).pathname;
  const body = JSON.stringify(document);
  const headers = { 'content-type': 'application/json', 'cache-control': `public, max-age=${maxAge}` };
  const handle = async (request: Request): Promise<Response | undefined> => {
    if (URL.parse(request.url)?.pathname !== path) return undefined;
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    if (request.method !== 'GET')
      return new Response(JSON.stringify({ error: 'method_not_allowed' }), {
        status: 405,
        headers: { 'content-type': 'application/json', allow: 'GET, HEAD' },
      });
    return new Response(body, { status: 200, headers });
  };
  return { document, url, path, handle };
}

/** The resource identifier, checked: an absolute http(s) URL without a fragment (RFC 9728 §1.2). */
function resourceUrl(resource: unknown, who: string): URL {
  const url = typeof resource === 'string' ? URL.parse(resource) : null;
  // RFC 9728 §1.2 names https; http is accepted for an API on a loopback or development host.
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
    throw invalidArgument(`${who}: resource must be the API's absolute https URL, such as https://api.example`);
  if (url.hash || (resource as string).includes('#'))
    throw invalidArgument(`${who}: resource must have no fragment (RFC 9728 §1.2)`);
  return url;
}

function list(name: string, values: readonly string[] | undefined): Record<string, string[]> {
  if (values === undefined) return {};
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || !v))
    throw invalidArgument(`protectedResourceMetadata: ${name} must be a list of non-empty strings`);
  return { [name]: [...values] };
}

function text(name: string, value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'string' || !value)
    throw invalidArgument(`protectedResourceMetadata: ${name} must be a non-empty string`);
  return { [name]: value };
}
