/**
 * The token endpoint (RFC 6749 §3.2): the authorization_code (in `code-grant.ts`),
 * client_credentials and refresh_token grants, and the legacy password grant when enabled, each
 * answered by the token service.
 */
import { createProblem, PROBLEM_CONTENT_TYPE, rateLimitFields } from '../../http/index.ts';
import type { UserLookup } from '../../stores/lookups.ts';
import type { AuthorizationCodeStore, ClientRecord, ClientStore, UserStore } from '../../stores/types.ts';
import { isRefusal } from '../refusal.ts';
import type { DpopVerifier } from '../schemes/dpop-proof.ts';
import type { SignIn } from '../sign-in.ts';
import { authenticateClient } from './client-authentication.ts';
import { clientSubject } from './client-subject.ts';
import { authorizationCodeGrant } from './code-grant.ts';
import { type DpopBinding, dpopBinding } from './dpop-binding.ts';
import { OAuthFailure } from './oauth-failure.ts';
import { readForm } from './oauth-form.ts';
import { NO_STORE, oauthJson } from './oauth-json.ts';
import { audienceOf, requestedResources } from './resource-indicators.ts';
import { grantableScopes } from './role-scopes.ts';
import type { TokenService } from './token-service.ts';

/** Every grant the endpoint knows, in the order the metadata lists them. */
export const GRANTS = ['authorization_code', 'client_credentials', 'refresh_token', 'password'] as const;
export type GrantType = (typeof GRANTS)[number];

/** What the token endpoint reads, settled when the authorization server is created. */
export interface TokenEndpoint {
  readonly service: TokenService;
  readonly users: UserLookup & Pick<UserStore, 'findUserById'>;
  readonly clients: ClientStore;
  /** The password grant checks passwords as every other entry point does (no cache: each grant is a sign-in). */
  readonly signIn: SignIn;
  readonly maxBodyBytes: number;
  /** The grants this server answers: what its options enabled. */
  readonly grants: readonly GrantType[];
  /** The codes the authorize endpoint issued; absent: no authorization_code grant. */
  readonly codes: AuthorizationCodeStore | undefined;
  /** DPoP proofs of token requests (RFC 9449 §5); absent: DPoP is off and every token is Bearer. */
  readonly dpop: DpopVerifier | undefined;
}

/** Why a grant is refused when it is not enabled: the password grant says how to enable it. */
function notEnabled(grant: string, enabled: readonly string[]): OAuthFailure {
  if (grant === 'password')
    return new OAuthFailure(
      'unsupported_grant_type',
      'The password grant is off: the OAuth 2.0 Security BCP forbids it (RFC 9700 §2.4). Use authorization_code with PKCE; a server that must keep it enables legacyPasswordGrant.',
    );
  return new OAuthFailure('unsupported_grant_type', `Use one of: ${enabled.join(', ')}.`);
}

/** The answer to a token request; an OAuthFailure (or a TokenGrantError) for one refused. */
export async function tokenAnswer(
  endpoint: TokenEndpoint,
  request: Request,
  ip: string | undefined,
): Promise<Response> {
  const form = await readForm(request, endpoint.maxBodyBytes);
  const grant = form.get('grant_type');
  if (!grant) throw new OAuthFailure('invalid_request', 'grant_type is missing.');
  if (!(endpoint.grants as readonly string[]).includes(grant)) throw notEnabled(grant, endpoint.grants);
  const client = await authenticateClient(request, form, endpoint.clients);
  if (!client.grants.includes(grant))
    throw new OAuthFailure('unauthorized_client', `This client may not use the ${grant} grant.`);
  const { binding, nonce } = await dpopBinding(endpoint.dpop, request, client);
  const answer = await grantAnswer(endpoint, grant, client, form, ip, binding);
  // RFC 9449 §8.2: the proof's nonce was accepted but is no longer the newest; the answer (no-store,
  // as every token answer) brings the newest, so that the next token request is not refused for it.
  if (nonce !== undefined) answer.headers.set('dpop-nonce', nonce);
  return answer;
}

async function grantAnswer(
  endpoint: TokenEndpoint,
  grant: string,
  client: ClientRecord,
  form: Map<string, string>,
  ip: string | undefined,
  dpop: DpopBinding,
): Promise<Response> {
  if (grant === 'authorization_code' && endpoint.codes)
    return authorizationCodeGrant(endpoint.service, endpoint.codes, client, form, dpop);
  if (grant === 'client_credentials') return clientCredentialsGrant(endpoint, client, form, dpop);
  if (grant === 'refresh_token') return refreshTokenGrant(endpoint, client, form, dpop);
  if (grant === 'password') return passwordGrant(endpoint, client, form, ip, dpop);
  throw notEnabled(grant, endpoint.grants);
}

function grantedScope(asked: string | undefined, allowed: readonly string[], fallback: readonly string[]): string {
  if (asked === undefined) return fallback.join(' ');
  const scopes = asked.split(' ').filter(Boolean);
  const outside = scopes.filter((s) => !allowed.includes(s));
  if (outside.length > 0)
    throw new OAuthFailure(
      'invalid_scope',
      `Scope ${outside.map((s) => JSON.stringify(s.slice(0, 40))).join(', ')} is not available to this client and user.`,
    );
  return scopes.join(' ');
}

async function clientCredentialsGrant(
  { service }: TokenEndpoint,
  client: ClientRecord,
  form: Map<string, string>,
  dpop: DpopBinding,
): Promise<Response> {
  if (client.secretHash === undefined)
    throw new OAuthFailure('unauthorized_client', 'A public client cannot use client_credentials.');
  const scope = grantedScope(form.get('scope'), client.scopes, client.scopes);
  const audience = resourceAudience(service, form);
  // RFC 6749 §4.4.3: no refresh token for client credentials. The subject is the client's, in a
  // namespace no user's id shares (client-subject.ts), so a client named like a user is not that user.
  return oauthJson(
    200,
    await service.issue(
      { id: clientSubject(client.clientId), scopes: scope.split(' ') },
      { clientId: client.clientId, scope, refresh: false, ...audience, ...dpop },
    ),
  );
}

async function refreshTokenGrant(
  { service, users }: TokenEndpoint,
  client: ClientRecord,
  form: Map<string, string>,
  { jkt }: DpopBinding,
): Promise<Response> {
  const refreshToken = form.get('refresh_token');
  if (!refreshToken) throw new OAuthFailure('invalid_request', 'refresh_token is missing.');
  const scope = form.get('scope');
  // RFC 8707 §2.2: a resource the service serves at all is checked here; whether the refresh
  // token's grant was for it, by the service (refresh-tokens.ts), which refuses a wider audience.
  const asked = form.get('resource');
  const resource = asked === undefined ? undefined : requestedResources([asked], service)[0];
  return oauthJson(
    200,
    await service.refresh(refreshToken, {
      clientId: client.clientId,
      ...(scope !== undefined ? { scope } : {}),
      ...(resource !== undefined ? { resource } : {}),
      ...(jkt !== undefined ? { jkt } : {}),
      // The user as they are now, with what this client may still ask for, as at sign-in.
      currentIdentity: async (id) => {
        const user = await users.findUserById(id);
        return (
          user && {
            id: user.id,
            roles: user.roles ?? [],
            scopes: grantableScopes(user).filter((s) => client.scopes.includes(s)),
          }
        );
      },
    }),
  );
}

/** The audience a token request's `resource` (RFC 8707 §2.2) asks for, checked; {} for none. */
function resourceAudience(service: TokenService, form: Map<string, string>): { audience?: string } {
  const asked = form.get('resource');
  if (asked === undefined) return {};
  const audience = audienceOf(requestedResources([asked], service));
  return typeof audience === 'string' ? { audience } : {};
}

async function passwordGrant(
  { service, signIn }: TokenEndpoint,
  client: ClientRecord,
  form: Map<string, string>,
  ip: string | undefined,
  dpop: DpopBinding,
): Promise<Response> {
  const username = form.get('username');
  const password = form.get('password');
  if (!username || password === undefined)
    throw new OAuthFailure('invalid_request', 'username and password are required for the password grant.');
  const user = await signIn.verify(username, password, ip);
  if (isRefusal(user)) {
    // The same answer, after the same work, whether the user is unknown or the password is wrong.
    if (user.reason !== 'locked_out' && user.reason !== 'rate_limited')
      throw new OAuthFailure('invalid_grant', 'The username or password is wrong.');
    const wait = Math.max(1, Math.ceil((user.retryAfterMs ?? 1000) / 1000));
    // A lockout refuses the grant; a busy sign-in (others of this account in flight) is only a
    // wait: RFC 6749 §4.1.2.1's temporarily_unavailable, not a verdict on the credentials.
    const error = user.reason === 'locked_out' ? 'invalid_grant' : 'temporarily_unavailable';
    const body = { ...createProblem(user.reason, { detail: user.detail ?? '' }), error };
    return new Response(JSON.stringify(body), {
      status: 429,
      headers: {
        'content-type': PROBLEM_CONTENT_TYPE,
        'retry-after': String(wait),
        ...(user.rateLimit ? rateLimitFields(user.rateLimit) : {}),
        ...NO_STORE,
      },
    });
  }
  // A user grants their scopes and role:R for their roles (role-scopes.ts), as far as the client may ask.
  const allowed = grantableScopes(user).filter((s) => client.scopes.includes(s));
  const scope = grantedScope(form.get('scope'), allowed, allowed);
  return oauthJson(
    200,
    await service.issue(
      { id: user.id, scopes: scope.split(' '), roles: user.roles ?? [] },
      { clientId: client.clientId, scope, ...dpop },
    ),
  );
}
