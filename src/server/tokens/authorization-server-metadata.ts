/**
 * Authorization server metadata (RFC 8414 §2): what a client needs to use this server, every
 * endpoint named under the issuer (RFC 8414 §3.3: a client refuses a document whose issuer is not
 * the URL it fetched it from, so the URLs are the issuer's, never the request's origin).
 */
import { oauthJson } from './oauth-json.ts';

export interface MetadataInputs {
  issuer: string;
  paths: { token: string; revocation: string; introspection: string; jwks: string; authorize?: string };
  /** The grants enabled, in order. */
  grants: readonly string[];
  /** The scopes the registered clients may ask for, when known. */
  scopes?: readonly string[];
  /** The acr values a sign-in can reach, for a client asking acr_values (RFC 9470 §4). */
  acrValues?: readonly string[];
  /** The DPoP proof algorithms accepted (RFC 9449 §5.1), when DPoP is on. */
  dpopAlgorithms?: readonly string[];
}

const CLIENT_AUTH = ['client_secret_basic', 'client_secret_post', 'none'];

export function metadataDocument({
  issuer,
  paths,
  grants,
  scopes,
  acrValues,
  dpopAlgorithms,
}: MetadataInputs): Record<string, unknown> {
  // The paths are where the handler answers from the root of the host (basePath included), on the
  // issuer's origin: the URL clients reach the server at, whatever origin this request came to.
  const origin = new URL(issuer).origin;
  const at = (path: string) => origin + path;
  const document: Record<string, unknown> = { issuer };
  if (paths.authorize) {
    document['authorization_endpoint'] = at(paths.authorize);
    document['response_types_supported'] = ['code'];
    document['response_modes_supported'] = ['query'];
    // RFC 7636 §4.2: S256 only; plain is refused (RFC 9700 §2.1.1).
    document['code_challenge_methods_supported'] = ['S256'];
    // RFC 9207 §3: every authorization response carries iss.
    document['authorization_response_iss_parameter_supported'] = true;
  } else {
    document['response_types_supported'] = [];
  }
  Object.assign(document, {
    token_endpoint: at(paths.token),
    token_endpoint_auth_methods_supported: CLIENT_AUTH,
    jwks_uri: at(paths.jwks),
    grant_types_supported: [...grants],
    revocation_endpoint: at(paths.revocation),
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH,
    // Introspection (RFC 7662), the endpoint of introspection-endpoint.ts: confidential clients only.
    introspection_endpoint: at(paths.introspection),
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  });
  if (scopes && scopes.length > 0) document['scopes_supported'] = [...scopes];
  // The member OpenID Connect Discovery 1.0 §3 defines, which RFC 8414 §2 lets a server add.
  if (acrValues && acrValues.length > 0) document['acr_values_supported'] = [...acrValues];
  if (dpopAlgorithms) document['dpop_signing_alg_values_supported'] = [...dpopAlgorithms];
  return document;
}

export const metadataResponse = (inputs: MetadataInputs) => oauthJson(200, metadataDocument(inputs));
