/**
 * The OAuth 2.0 endpoints, as one fetch-style handler that every adapter can mount: authorize
 * (RFC 6749 §4.1 with PKCE, `authorize-endpoint.ts`, when given a code store), token (RFC 6749
 * §3.2: authorization_code, client_credentials, refresh_token, and password only as a legacy
 * option), revocation (RFC 7009), introspection (RFC 7662), JWKS, and authorization-server metadata
 * (RFC 8414, `authorization-server-metadata.ts`). The token endpoint's grants are in
 * `token-endpoint.ts` and `code-grant.ts`; the form and client authentication the endpoints read,
 * in `oauth-form.ts` and `client-authentication.ts`.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { formatChallenges } from '../../http/index.ts';
import type { UserLookup } from '../../stores/lookups.ts';
import type { AuthorizationCodeStore, ClientStore, UserStore } from '../../stores/types.ts';
import type { CorsPolicy } from '../cors.ts';
import { errorDescription } from '../error-description.ts';
import type { LoginProtection } from '../login-protection.ts';
import { BodyTooLargeError, RequestInvalidError } from '../request-limits.ts';
import { type DpopOptions, dpopVerifier } from '../schemes/dpop-proof.ts';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../server-failure.ts';
import { createSignIn } from '../sign-in.ts';
import { metadataResponse } from './authorization-server-metadata.ts';
import { type AuthorizeEndpoint, type AuthorizeOptions, authorizeAnswer } from './authorize-endpoint.ts';
import { authenticateClient } from './client-authentication.ts';
import { endpointCors } from './endpoint-cors.ts';
import { type IntrospectionPolicy, introspectionAnswer } from './introspection-endpoint.ts';
import { OAuthFailure } from './oauth-failure.ts';
import { readForm } from './oauth-form.ts';
import { NO_STORE, oauthJson } from './oauth-json.ts';
import { signInLevels } from './sign-in-level.ts';
import { GRANTS, type GrantType, type TokenEndpoint, tokenAnswer } from './token-endpoint.ts';
import { TokenGrantError } from './token-grant-error.ts';
import type { TokenService } from './token-service.ts';

export interface AuthorizationServerOptions {
  service: TokenService;
  /** The users: by name for the password grant, by id for each refresh (who the subject is now). */
  users: UserLookup & Pick<UserStore, 'findUserById'>;
  clients: ClientStore;
  /**
   * Lockouts for the sign-in form and the password grant: attempts are counted before the password
   * is verified.
   */
  loginProtection?: LoginProtection;
  /**
   * The authorization codes (RFC 6749 §4.1): with it, the authorize endpoint and the
   * authorization_code grant (PKCE S256 required) are on; without it, both are off.
   * @example store.authorizationCodes
   */
  codes?: AuthorizationCodeStore;
  /** How the authorize endpoint signs users in and how long its codes live. @default the built-in form, 60 s codes */
  authorize?: AuthorizeOptions;
  /**
   * Answer the resource owner password credentials grant, which the OAuth 2.0 Security BCP says
   * MUST NOT be used (RFC 9700 §2.4): it hands the user's password to the client. Only for
   * legacy clients and demos. @default false
   */
  legacyPasswordGrant?: boolean;
  /** The scopes_supported of the metadata (RFC 8414 §2). @default left out */
  scopesSupported?: readonly string[];
  /** Where the endpoints live. @default '' (so /oauth/token, /oauth/revoke, /.well-known/…) */
  basePath?: string;
  /** The realm of the Basic challenge sent with invalid_client. @default 'oauth' */
  realm?: string;
  /** The largest form body read; larger is 413 body_too_large, answered before the rest arrives. @default 16_384 */
  maxBodyBytes?: number;
  /**
   * Sees a failure of the server's own (a store out of reach), answered 503 store_unavailable or
   * 500 internal_error with nothing of the error. @default one line on stderr
   */
  onError?: OnError;
  /** Who may introspect another client's access token (RFC 7662 §4). @default nobody: a client sees its own */
  introspectionPolicy?: IntrospectionPolicy;
  /**
   * DPoP (RFC 9449): a token request with a valid `DPoP` proof gets tokens bound to the proof's key
   * (`cnf.jkt`, token_type DPoP); a public client's refresh token is bound too (§5). Share `nonces`
   * (the replay cache) across a fleet. Requests without a proof still get Bearer tokens. @default off
   */
  dpop?: DpopOptions | true;
  /**
   * Which pages may call the token, revocation, JWKS and metadata endpoints from another origin:
   * the guard's policy type (`createGuard({ cors })`). Their answers, refusals included, carry the
   * allowance, and their CORS preflights are answered 204 from it. Never the authorize endpoint,
   * which the browser navigates to. @default none: a page of another origin reads no answer
   */
  cors?: CorsPolicy;
}

export interface RequestInfo {
  /** The client's address, for login protection (IPv4-mapped IPv6 counts as IPv4, IPv6 by its /64). */
  ip?: string;
}

export interface AuthorizationServer {
  /**
   * Answers the endpoints' paths; undefined for any other path (the caller's 404). Its
   * `maxBodyBytes` tells the fetch mounts how much of a body to read for it at most.
   */
  handle: ((request: Request, info?: RequestInfo) => Promise<Response | undefined>) & { readonly maxBodyBytes: number };
  readonly paths: {
    token: string;
    revocation: string;
    introspection: string;
    jwks: string;
    metadata: string;
    /** Absent when no code store was given. */
    authorize?: string;
  };
  /** The grants the token endpoint answers, as its metadata lists them. */
  readonly grants: readonly string[];
}

/** The grants the options enable, in the metadata's order. */
function enabledGrants(options: AuthorizationServerOptions): GrantType[] {
  return GRANTS.filter(
    (grant: GrantType) =>
      (grant !== 'authorization_code' || options.codes !== undefined) &&
      (grant !== 'password' || options.legacyPasswordGrant === true),
  );
}

export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  if (typeof options?.users?.findUserById !== 'function')
    throw invalidArgument(
      'createAuthorizationServer: users must provide findUserById(id), so that a refresh takes the user as they are now',
    );
  const base = (options.basePath ?? '').replace(/\/$/, '');
  const paths = {
    token: `${base}/oauth/token`,
    revocation: `${base}/oauth/revoke`,
    introspection: `${base}/oauth/introspect`,
    jwks: `${base}/.well-known/jwks.json`,
    metadata: `${base}/.well-known/oauth-authorization-server`,
    ...(options.codes ? { authorize: `${base}/oauth/authorize` } : {}),
  };
  const grants = enabledGrants(options);
  const realm = options.realm ?? 'oauth';
  const endpoint: TokenEndpoint = {
    service: options.service,
    users: options.users,
    clients: options.clients,
    // The password grant checks passwords as every other entry point does (no cache: each grant is a sign-in).
    signIn: createSignIn({
      users: options.users,
      ...(options.loginProtection ? { loginProtection: options.loginProtection } : {}),
    }),
    maxBodyBytes: options.maxBodyBytes ?? 16_384, // bytes: a token request is a few hundred
    grants,
    codes: options.codes,
    dpop: options.dpop ? dpopVerifier(options.dpop === true ? {} : options.dpop) : undefined,
  };
  const authorize: AuthorizeEndpoint | undefined = options.codes && {
    ...endpoint,
    codes: options.codes,
    options: options.authorize ?? {},
  };

  const answer = async (request: Request, path: string, info: RequestInfo): Promise<Response | undefined> => {
    try {
      if (path === paths.token) return await tokenAnswer(endpoint, request, info.ip);
      if (authorize && path === paths.authorize) return await authorizeAnswer(authorize, request, info.ip);
      if (path === paths.revocation) return await revocationAnswer(endpoint, request);
      if (path === paths.introspection)
        return await introspectionAnswer(endpoint, request, options.introspectionPolicy);
      if (path === paths.jwks)
        return oauthJson(200, await options.service.jwks(), { 'cache-control': 'public, max-age=300' });
      if (path === paths.metadata)
        return metadataResponse({
          issuer: options.service.issuer,
          paths,
          grants,
          ...(options.scopesSupported ? { scopes: options.scopesSupported } : {}),
          ...(authorize ? { acrValues: signInLevels(options.authorize?.secondFactor) } : {}),
          ...(endpoint.dpop ? { dpopAlgorithms: endpoint.dpop.algorithms } : {}),
        });
      return undefined;
    } catch (error) {
      return failureAnswer(error, `${path.slice(base.length + 1)} endpoint`, realm, options.onError);
    }
  };
  const cors = options.cors && endpointCors(options.cors, [paths.token, paths.revocation, paths.jwks, paths.metadata]);
  const handle = async (request: Request, info: RequestInfo = {}): Promise<Response | undefined> => {
    const path = URL.parse(request.url)?.pathname;
    if (path === undefined) return problemResponse('request_invalid', 'The request URL is not valid.');
    const preflight = cors?.preflight(request, path);
    if (preflight) return preflight;
    const answered = await answer(request, path, info);
    return answered && cors ? cors.allow(request, path, answered) : answered;
  };
  // The mounts read no more of a body than the endpoint would (a stalled client holds 16 KiB, not 1 MiB).
  return { paths, grants, handle: Object.assign(handle, { maxBodyBytes: endpoint.maxBodyBytes }) };
}

/** The answer to an endpoint's failure: an OAuth error, a refused body or URL, or the server's own failure. */
function failureAnswer(error: unknown, source: string, realm: string, onError: OnError | undefined): Response {
  if (error instanceof TokenGrantError)
    return oauthJson(400, { error: error.oauthError, error_description: errorDescription(error.message) });
  if (error instanceof BodyTooLargeError)
    return problemResponse(error.refusal.reason, error.refusal.detail!, { connection: 'close' });
  if (error instanceof RequestInvalidError) return problemResponse('request_invalid', error.message);
  if (!(error instanceof OAuthFailure)) {
    // The server's failure (a store out of reach): 5xx, never an OAuth error the client would act on.
    const failure = failureOf(error, source);
    report(onError, failure);
    return failureResponse(failure);
  }
  const headers: Record<string, string> = { ...error.headers };
  if (error.challenge)
    headers['www-authenticate'] = formatChallenges([{ scheme: 'Basic', params: { realm, charset: 'UTF-8' } }]);
  if (error.status === 405) headers['allow'] = 'POST';
  return oauthJson(error.status, { error: error.code, error_description: errorDescription(error.message) }, headers);
}

/** The revocation endpoint (RFC 7009). */
async function revocationAnswer(endpoint: TokenEndpoint, request: Request): Promise<Response> {
  const form = await readForm(request, endpoint.maxBodyBytes);
  const client = await authenticateClient(request, form, endpoint.clients);
  const token = form.get('token');
  if (!token) throw new OAuthFailure('invalid_request', 'token is missing.');
  const hint = form.get('token_type_hint');
  await endpoint.service.revoke(token, { clientId: client.clientId, ...(hint ? { hint } : {}) });
  // RFC 7009 §2.2: 200 whether or not the token was valid.
  return new Response(null, { status: 200, headers: NO_STORE });
}
