/**
 * The authorization request (RFC 6749 §4.1.1, OAuth 2.1 §4.1.1), read and checked. What is wrong
 * with client_id or redirect_uri is told to the user and never redirected (RFC 6749 §4.1.2.1: the
 * redirect URI itself is in doubt); every other error goes back to the client's redirect URI.
 */

import type { ClientRecord, ClientStore } from '../../stores/types.ts';
import { readLimited } from '../request-limits.ts';
import { isS256Challenge } from './authorization-code.ts';
import type { OAuthErrorCode } from './oauth-failure.ts';
import { OAuthFailure } from './oauth-failure.ts';
import { isRegisteredRedirectUri } from './registered-redirect-uri.ts';
import { type ResourceServerList, requestedResources } from './resource-indicators.ts';

/** An authorization request that passed every check but the user's. */
export interface AuthorizationRequest {
  client: ClientRecord;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string;
  /** The scopes asked for; undefined: all the client may have that the user can grant. */
  scope: string[] | undefined;
  resources: string[];
  /** RFC 9470 §4: the acr values the client asks for, most preferred first. */
  acrValues?: string[];
  /** OpenID Connect Core §3.1.2.1: the most seconds since the user's sign-in the client accepts. */
  maxAge?: number;
  /** RFC 9449 §10: the thumbprint of the DPoP key whose proof alone may redeem the code. */
  dpopJkt?: string;
  /** The request's own parameters, as received: what the sign-in form carries through. */
  params: Array<[string, string]>;
}

/** An authorization request refused; `redirect` absent: shown to the user, never redirected. */
export class AuthorizationFailure extends OAuthFailure {
  readonly redirect: { uri: string; state: string | undefined } | undefined;
  constructor(
    code: OAuthErrorCode,
    description: string,
    redirect?: { uri: string; state: string | undefined },
    status = 400,
  ) {
    super(code, description, status);
    this.redirect = redirect;
  }
}

/** The form fields of the sign-in page, which are not the authorization request's. */
export const FORM_FIELDS = new Set(['username', 'password', 'otp', 'decision']);

// RFC 6749 Appendix A: no parameter holds a control character.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The parameters of a GET (the query) or a POST (a form body, bounded). */
export async function authorizationParams(request: Request, maxBodyBytes: number): Promise<URLSearchParams> {
  if (request.method === 'GET') return new URL(request.url).searchParams;
  if (request.method !== 'POST')
    throw new AuthorizationFailure('invalid_request', 'Use GET or POST for the authorize endpoint.', undefined, 405);
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded'))
    throw new AuthorizationFailure('invalid_request', 'Send the form as application/x-www-form-urlencoded.');
  const bytes = await readLimited(request.body, maxBodyBytes, request.headers.get('content-length'));
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/**
 * Reads the authorization request out of `params`; throws an AuthorizationFailure. `dpop`: whether
 * the server binds tokens to DPoP keys, and so reads `dpop_jkt` (otherwise an unknown parameter,
 * ignored as RFC 6749 §3.1 says).
 */
export async function authorizationRequest(
  params: URLSearchParams,
  clients: ClientStore,
  service: ResourceServerList,
  dpop = false,
): Promise<AuthorizationRequest> {
  const { client, redirectUri } = await registeredTarget(params, clients);
  const states = params.getAll('state');
  const target = { uri: redirectUri, state: states.length === 1 ? states[0] : undefined };
  const fail = (code: OAuthErrorCode, description: string) => new AuthorizationFailure(code, description, target);
  const own = [...params].filter(([name]) => !FORM_FIELDS.has(name));
  for (const [name, value] of own) {
    if (CONTROL.test(name) || CONTROL.test(value))
      throw fail('invalid_request', 'A parameter holds a control character (RFC 6749 Appendix A).');
    // RFC 6749 §3.1: no parameter more than once; RFC 8707 §2: resource may repeat.
    if (name !== 'resource' && params.getAll(name).length > 1)
      throw fail('invalid_request', `The parameter ${JSON.stringify(name.slice(0, 40))} is sent more than once.`);
  }
  const responseType = params.get('response_type');
  if (!responseType) throw fail('invalid_request', 'response_type is missing: send response_type=code.');
  if (responseType !== 'code')
    throw fail('unsupported_response_type', 'This server answers response_type=code only (OAuth 2.1).');
  if (!client.grants.includes('authorization_code'))
    throw fail('unauthorized_client', 'This client may not use the authorization_code grant.');
  const codeChallenge = params.get('code_challenge');
  if (!codeChallenge)
    throw fail(
      'invalid_request',
      'code_challenge is required: PKCE with code_challenge_method=S256 (RFC 7636, OAuth 2.1).',
    );
  // RFC 7636 §4.3: no method means plain, which this server refuses (RFC 9700 §2.1.1).
  if (params.get('code_challenge_method') !== 'S256')
    throw fail('invalid_request', 'code_challenge_method must be S256: plain PKCE is not accepted (RFC 9700 §2.1.1).');
  if (!isS256Challenge(codeChallenge))
    throw fail(
      'invalid_request',
      'code_challenge must be the base64url SHA-256 of the verifier: 43 characters (RFC 7636 §4.2).',
    );
  const scopeText = params.get('scope');
  const scope = scopeText === null ? undefined : scopeText.split(' ').filter(Boolean);
  const outside = (scope ?? []).filter((s) => !client.scopes.includes(s));
  if (outside.length > 0)
    throw fail(
      'invalid_scope',
      `Scope ${outside.map((s) => JSON.stringify(s.slice(0, 40))).join(', ')} is not available to this client.`,
    );
  let resources: string[];
  try {
    resources = requestedResources(params.getAll('resource'), service);
  } catch (error) {
    if (error instanceof OAuthFailure) throw fail(error.code, error.message);
    throw error;
  }
  const maxAge = params.get('max_age');
  // OpenID Connect Core §3.1.2.1: max_age is a whole number of seconds.
  if (maxAge !== null && !/^\d{1,9}$/.test(maxAge))
    throw fail('invalid_request', 'max_age must be a whole number of seconds (OpenID Connect Core §3.1.2.1).');
  const acrValues = params.get('acr_values')?.split(' ').filter(Boolean);
  const dpopJkt = dpop ? (params.get('dpop_jkt') ?? undefined) : undefined;
  // RFC 9449 §10: the base64url JWK SHA-256 thumbprint (RFC 7638) of the key, 43 characters.
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt))
    throw fail(
      'invalid_request',
      "dpop_jkt must be the DPoP key's JWK SHA-256 thumbprint, base64url: 43 characters (RFC 9449 §10, RFC 7638).",
    );
  return {
    client,
    redirectUri,
    state: target.state,
    codeChallenge,
    scope,
    resources,
    params: own,
    ...(acrValues?.length ? { acrValues } : {}),
    ...(maxAge !== null ? { maxAge: Number(maxAge) } : {}),
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
  };
}

/** The client and the redirect URI, both as registered, or a failure shown to the user. */
async function registeredTarget(
  params: URLSearchParams,
  clients: ClientStore,
): Promise<{ client: ClientRecord; redirectUri: string }> {
  const ids = params.getAll('client_id');
  if (ids.length !== 1 || !ids[0])
    throw new AuthorizationFailure(
      'invalid_request',
      'client_id is missing or sent more than once: the application that sent you here must name itself.',
    );
  const client = CONTROL.test(ids[0]) ? undefined : await clients.findClient(ids[0]);
  const registered = client?.redirectUris ?? [];
  if (!client || registered.length === 0)
    throw new AuthorizationFailure(
      'invalid_client',
      'The application that sent you here is not registered for sign-in here.',
    );
  const uris = params.getAll('redirect_uri');
  if (uris.length > 1) throw new AuthorizationFailure('invalid_request', 'redirect_uri is sent more than once.');
  // OAuth 2.1 §2.3.1: redirect_uri may be left out only when the client registered exactly one.
  if (uris.length === 0) {
    if (registered.length === 1) return { client, redirectUri: registered[0]! };
    throw new AuthorizationFailure(
      'invalid_request',
      'redirect_uri is missing, and the application registered several.',
    );
  }
  // RFC 9700 §4.1.3: exact string comparison, nothing normalised (a loopback IP's port aside, RFC 8252 §7.3).
  if (!isRegisteredRedirectUri(registered, uris[0]!))
    throw new AuthorizationFailure(
      'invalid_request',
      'redirect_uri is not one this application registered; you were not sent back to it.',
    );
  return { client, redirectUri: uris[0]! };
}
