/**
 * The introspection endpoint (RFC 7662): an authenticated confidential client asks whether a
 * token is active, and learns its scope, client, subject and times if it is and if it may see it.
 * Every other case is the same `{"active":false}`, so that the answer tells a caller nothing about
 * a token it may not see (RFC 7662 §2.2, §4).
 */
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { ClientRecord, ClientStore } from '../../stores/types.ts';
import { authenticateClient } from './client-authentication.ts';
import type { TokenIntrospection } from './introspection.ts';
import { OAuthFailure } from './oauth-failure.ts';
import { readForm } from './oauth-form.ts';
import { oauthJson } from './oauth-json.ts';
import type { TokenService } from './token-service.ts';

/**
 * Whether `caller` may introspect an access token issued to another client: a resource server
 * that receives it, typically, when the token's `aud` names that resource server (RFC 7662 §4).
 * A client may always introspect its own tokens; a refresh token only ever by its own client.
 * @default nobody may see another client's tokens
 * @example (caller, token) => caller.clientId === 'billing-api' && [token.claims.aud].flat().includes('https://billing.example')
 */
export type IntrospectionPolicy = (caller: ClientRecord, token: TokenIntrospection) => MaybePromise<boolean>;

/** What the endpoint reads: the authorization server's service, clients and body limit. */
export interface IntrospectionEndpoint {
  service: TokenService;
  clients: ClientStore;
  maxBodyBytes: number;
}

const INACTIVE = { active: false };

/** Answers one introspection request (RFC 7662 §2.1, §2.2); OAuthFailure for a bad request or client. */
export async function introspectionAnswer(
  endpoint: IntrospectionEndpoint,
  request: Request,
  policy?: IntrospectionPolicy,
): Promise<Response> {
  const form = await readForm(request, endpoint.maxBodyBytes);
  const caller = await authenticateClient(request, form, endpoint.clients);
  // RFC 7662 §2.1 requires the caller be authorized; a public client proves nothing (§4: token scanning).
  if (caller.secretHash === undefined)
    throw new OAuthFailure(
      'invalid_client',
      'Introspection needs an authenticated client: a confidential client with its secret (RFC 7662 §2.1).',
      401,
      true,
    );
  const token = form.get('token');
  if (!token) throw new OAuthFailure('invalid_request', 'token is missing (RFC 7662 §2.1).');
  const found = await endpoint.service.introspect(token);
  if (!found || !(await mayIntrospect(caller, found, policy))) return oauthJson(200, INACTIVE);
  // RFC 7662 §2.2: the answer is JSON, active first; never cached (§4: it says who holds what, now).
  return oauthJson(200, { active: true, ...found.claims });
}

async function mayIntrospect(
  caller: ClientRecord,
  token: TokenIntrospection,
  policy: IntrospectionPolicy | undefined,
): Promise<boolean> {
  if (token.clientId === caller.clientId) return true;
  if (token.kind === 'refresh_token' || !policy) return false;
  return (await policy(caller, token)) === true;
}
