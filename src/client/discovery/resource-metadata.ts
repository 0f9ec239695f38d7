/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): where a 401 says it is, and whether it may be
 * believed for the URL that was called.
 */
import { parseChallenges } from '../../http/index.ts';
import { redactUrl } from '../../http/redact-url.ts';
import { DiscoveryError } from '../errors/discovery-error.ts';
import { ResourceMismatchError } from '../errors/resource-mismatch-error.ts';
import { type DocumentFetch, fetchMetadataDocument } from './metadata-document.ts';

export interface ResourceMetadata {
  /** The protected resource's identifier (RFC 9728 §2), the `resource` of token requests (RFC 8707). */
  resource: string;
  /** Issuer identifiers of the authorization servers that issue its tokens. */
  authorizationServers: string[];
  scopesSupported: string[] | undefined;
  /** Where the document was fetched from. */
  metadataUrl: string;
}

/** The `resource_metadata` URL of a 401's Bearer challenge (RFC 9728 §5.1), resolved against the call. */
export function resourceMetadataUrl(response: Response, called: URL): URL | undefined {
  const bearer = parseChallenges(response.headers).find((c) => c.scheme.toLowerCase() === 'bearer');
  const value = bearer?.params['resource_metadata'];
  if (!value) return undefined;
  try {
    return new URL(value, called);
  } catch {
    return undefined;
  }
}

/**
 * Whether metadata naming `resource` may be used for a call to `called`. RFC 9728 §3.3: metadata
 * found through a 401's resource_metadata must name the URL that was called, else it MUST NOT be
 * used (§7.3: a server impersonating another resource). As draft-ietf-oauth-rfc9728bis allows,
 * a resource on the same origin whose path is the called path or a whole-segment prefix of it
 * (`https://api/v1` for `https://api/v1/me`) names it too; a query or fragment never matches.
 */
export function namesCalledResource(resource: string, called: URL): boolean {
  let named: URL;
  try {
    named = new URL(resource);
  } catch {
    return false;
  }
  if (named.href !== resource && `${resource}/` !== named.href) return false; // not in its normal form
  if (named.origin !== called.origin || named.hash || named.search || named.username || named.password) return false;
  const calledPath = called.pathname;
  const path = named.pathname;
  if (path === calledPath || path === '/') return true;
  const base = path.endsWith('/') ? path : `${path}/`;
  return calledPath.startsWith(base);
}

/** Fetches and checks the document a 401 pointed to; a typed error when it cannot be used. */
export async function discoverResource(metadataUrl: URL, called: URL, how: DocumentFetch): Promise<ResourceMetadata> {
  const where = redactUrl(metadataUrl.href);
  const document = await fetchMetadataDocument(metadataUrl, how, called);
  const resource = document['resource'];
  if (typeof resource !== 'string' || !resource)
    throw new DiscoveryError(where, 'it has no resource (RFC 9728 §2 requires one); the API must name itself.');
  if (!namesCalledResource(resource, called))
    throw new ResourceMismatchError({
      called: redactUrl(called.href),
      named: resource.slice(0, 200),
      metadataUrl: where,
    });
  const servers = document['authorization_servers'];
  const authorizationServers = Array.isArray(servers) ? servers.filter((s): s is string => typeof s === 'string') : [];
  const scopes = document['scopes_supported'];
  return {
    resource,
    authorizationServers,
    scopesSupported: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : undefined,
    metadataUrl: metadataUrl.href,
  };
}
