/**
 * OAuth 2.0 Authorization Server Metadata (RFC 8414), with OpenID Connect Discovery's location as
 * the fallback: fetched for an issuer identifier, and used only when it names that very issuer.
 */
import { redactUrl } from '../../http/redact-url.ts';
import { DiscoveryError } from '../errors/discovery-error.ts';
import { IssuerMismatchError } from '../errors/issuer-mismatch-error.ts';
import { type DocumentFetch, endpointIn, fetchMetadataDocument, refusalOf } from './metadata-document.ts';

export interface AuthorizationServerMetadata {
  issuer: string;
  tokenEndpoint: URL;
  authorizationEndpoint: URL | undefined;
  introspectionEndpoint: URL | undefined;
  revocationEndpoint: URL | undefined;
  /** RFC 9207 §3: when true, every authorization response carries `iss`. */
  issParameterSupported: boolean;
  codeChallengeMethods: string[];
  grantTypes: string[] | undefined;
}

/**
 * RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path
 * (`https://as/tenant` → `https://as/.well-known/oauth-authorization-server/tenant`); OpenID
 * Connect Discovery §4 appends its own to the issuer (`https://as/tenant/.well-known/openid-configuration`).
 */
export function metadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin),
    new URL(`${path}/.well-known/openid-configuration`, issuer.origin),
  ];
}

/** The metadata of `issuer`, checked; the first location that answers a JSON object is used. */
export async function discoverAuthorizationServer(
  issuer: string,
  how: DocumentFetch,
): Promise<AuthorizationServerMetadata> {
  let identifier: URL;
  try {
    identifier = new URL(issuer);
  } catch {
    throw new DiscoveryError(issuer.slice(0, 200), 'the authorization server is not an absolute URL.');
  }
  // RFC 8414 §2: an issuer is an https URL with no query or fragment (http on loopback, for tests).
  const refused =
    refusalOf(identifier) ?? (identifier.search || identifier.hash ? 'it has a query or fragment' : undefined);
  if (refused) throw new DiscoveryError(redactUrl(identifier.href), `the issuer was refused: ${refused}.`);
  let document: Record<string, unknown> | undefined;
  let where = '';
  let firstError: unknown;
  for (const url of metadataUrls(identifier)) {
    where = redactUrl(url.href);
    try {
      document = await fetchMetadataDocument(url, how, identifier);
      break;
    } catch (error) {
      if (!(error instanceof DiscoveryError)) throw error;
      firstError ??= error;
    }
  }
  if (!document) throw firstError;
  // RFC 8414 §3.3: the issuer in the document MUST be identical to the one it was fetched for.
  if (document['issuer'] !== issuer)
    throw new IssuerMismatchError({
      expected: issuer,
      named: typeof document['issuer'] === 'string' ? document['issuer'].slice(0, 200) : undefined,
      where: `The authorization server metadata at ${where}`,
      fix: 'RFC 8414 §3.3 forbids using it: the server must publish its own URL as issuer (behind a proxy, the public one).',
    });
  const optional = (member: string) =>
    document[member] === undefined ? undefined : endpointIn(document, member, where, identifier);
  const methods = document['code_challenge_methods_supported'];
  const grants = document['grant_types_supported'];
  return {
    issuer,
    tokenEndpoint: endpointIn(document, 'token_endpoint', where, identifier),
    authorizationEndpoint: optional('authorization_endpoint'),
    introspectionEndpoint: optional('introspection_endpoint'),
    revocationEndpoint: optional('revocation_endpoint'),
    issParameterSupported: document['authorization_response_iss_parameter_supported'] === true,
    codeChallengeMethods: Array.isArray(methods) ? methods.filter((m): m is string => typeof m === 'string') : [],
    grantTypes: Array.isArray(grants) ? grants.filter((g): g is string => typeof g === 'string') : undefined,
  };
}
