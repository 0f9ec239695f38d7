/**
 * The OAuth 2.0 endpoints, as one fetch-style handler that every adapter can mount:
 * token (RFC 6749 §3.2: password, client_credentials, refresh_token), revocation (RFC 7009),
 * JWKS, and authorization-server metadata (RFC 8414).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from '../../http/argument-error.ts';
import { GatehouseError } from '../../http/gatehouse-error.ts';
import { createProblem, formatChallenges, PROBLEM_CONTENT_TYPE, parseAuthorization } from '../../http/index.ts';
import type { UserLookup } from '../../stores/lookups.ts';
import type { ClientRecord, ClientStore, UserStore } from '../../stores/types.ts';
import type { LoginProtection } from '../login-protection.ts';
import { isRefusal } from '../refusal.ts';
import { BodyTooLargeError, RequestInvalidError, readLimited } from '../request-limits.ts';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../server-failure.ts';
import { createSignIn } from '../sign-in.ts';
import { clientSubject } from './client-subject.ts';
import { grantableScopes } from './role-scopes.ts';
import { TokenGrantError } from './token-grant-error.ts';
import type { TokenService } from './token-service.ts';

export interface AuthorizationServerOptions {
  service: TokenService;
  /** The users: by name for the password grant, by id for each refresh (who the subject is now). */
  users: UserLookup & Pick<UserStore, 'findUserById'>;
  clients: ClientStore;
  /** Lockouts for the password grant: attempts are counted before the password is verified. */
  loginProtection?: LoginProtection;
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
  readonly paths: { token: string; revocation: string; jwks: string; metadata: string };
}

const GRANTS = ['password', 'client_credentials', 'refresh_token'] as const;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/** A token request refused; `code` is its RFC 6749 §5.2 error, answered to the client as such. */
class OAuthFailure extends GatehouseError {
  declare readonly code: OAuthErrorCode;
  readonly status: number;
  readonly challenge: boolean;
  constructor(code: OAuthErrorCode, description: string, status = 400, challenge = false) {
    super(description, code);
    this.status = status;
    this.challenge = challenge;
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...NO_STORE, ...headers },
  });
}

const secretMatches = (secret: string, hash: string) => {
  const given = createHash('sha256').update(secret).digest();
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
};

// RFC 6749 Appendix A: no parameter holds a control character (client_id and secrets are
// VSCHAR, username and password UNICODECHARNOCRLF; TAB is the one control the latter allows).
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function refuseControls(name: string, value: string | undefined): void {
  if (value !== undefined && CONTROL.test(value))
    throw new OAuthFailure('invalid_request', `${name} holds a control character (RFC 6749 Appendix A).`);
}

// RFC 6749 §2.3.1: the Basic pair is form-urlencoded before base64.
const formDecode = (value: string) => {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  if (typeof options?.users?.findUserById !== 'function')
    throw invalidArgument(
      'createAuthorizationServer: users must provide findUserById(id), so that a refresh takes the user as they are now',
    );
  const base = (options.basePath ?? '').replace(/\/$/, '');
  const paths = {
    token: `${base}/oauth/token`,
    revocation: `${base}/oauth/revoke`,
    jwks: `${base}/.well-known/jwks.json`,
    metadata: `${base}/.well-known/oauth-authorization-server`,
  };
  const realm = options.realm ?? 'oauth';
  // The password grant checks passwords as every other entry point does (no cache: each grant is a sign-in).
  const signIn = createSignIn({
    users: options.users,
    ...(options.loginProtection ? { loginProtection: options.loginProtection } : {}),
  });
  const maxBodyBytes = options.maxBodyBytes ?? 16_384; // bytes: a token request is a few hundred

  async function readForm(request: Request): Promise<Map<string, string>> {
    if (request.method !== 'POST') throw new OAuthFailure('invalid_request', 'Use POST for this endpoint.', 405);
    if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthFailure(
        'invalid_request',
        'Send the parameters as application/x-www-form-urlencoded (RFC 6749 §3.2).',
      );
    }
    // Counted while it streams: a body past the limit is refused before the rest is read.
    const bytes = await readLimited(request.body, maxBodyBytes, request.headers.get('content-length'));
    const text = new TextDecoder().decode(bytes);
    const form = new Map<string, string>();
    for (const [name, value] of new URLSearchParams(text)) {
      // RFC 6749 §5.2: a malformed parameter is invalid_request; it never reaches a store.
      refuseControls('A parameter name', name);
      refuseControls(JSON.stringify(name.slice(0, 40)), value);
      // RFC 6749 §3.2: parameters MUST NOT be included more than once.
      if (form.has(name))
        throw new OAuthFailure(
          'invalid_request',
          `The parameter ${JSON.stringify(name.slice(0, 40))} is sent more than once.`,
        );
      form.set(name, value);
    }
    return form;
  }

  async function authenticateClient(request: Request, form: Map<string, string>): Promise<ClientRecord> {
    const header = request.headers.get('authorization');
    let clientId: string | undefined;
    let secret: string | undefined;
    const byHeader = header !== null;
    if (byHeader) {
      if (form.has('client_secret'))
        throw new OAuthFailure(
          'invalid_request',
          'Authenticate the client one way only: the Authorization header or the body (RFC 6749 §2.3).',
        );
      const parsed = parseAuthorization(header);
      if (!parsed.ok || parsed.credentials.kind !== 'basic')
        throw new OAuthFailure('invalid_client', 'Client authentication must use HTTP Basic.', 401, true);
      clientId = formDecode(parsed.credentials.username);
      secret = formDecode(parsed.credentials.password);
      refuseControls('The client id', clientId);
      refuseControls('The client secret', secret);
      if (form.has('client_id') && form.get('client_id') !== clientId)
        throw new OAuthFailure('invalid_request', 'client_id in the body differs from the authenticated client.');
    } else {
      clientId = form.get('client_id');
      secret = form.get('client_secret');
    }
    if (!clientId)
      throw new OAuthFailure(
        'invalid_client',
        'Identify the client: HTTP Basic, or client_id in the body.',
        byHeader ? 401 : 400,
        byHeader,
      );
    const client = await options.clients.findClient(clientId);
    const ok =
      client &&
      (client.secretHash === undefined
        ? secret === undefined
        : secret !== undefined && secretMatches(secret, client.secretHash));
    if (!client || !ok)
      throw new OAuthFailure(
        'invalid_client',
        'The client is unknown or its secret is wrong.',
        byHeader ? 401 : 400,
        byHeader,
      );
    return client;
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

  async function token(request: Request, info: RequestInfo): Promise<Response> {
    const form = await readForm(request);
    const grant = form.get('grant_type');
    if (!grant) throw new OAuthFailure('invalid_request', 'grant_type is missing.');
    if (!(GRANTS as readonly string[]).includes(grant))
      throw new OAuthFailure('unsupported_grant_type', `Use one of: ${GRANTS.join(', ')}.`);
    const client = await authenticateClient(request, form);
    if (!client.grants.includes(grant))
      throw new OAuthFailure('unauthorized_client', `This client may not use the ${grant} grant.`);

    if (grant === 'client_credentials') {
      if (client.secretHash === undefined)
        throw new OAuthFailure('unauthorized_client', 'A public client cannot use client_credentials.');
      const scope = grantedScope(form.get('scope'), client.scopes, client.scopes);
      // RFC 6749 §4.4.3: no refresh token for client credentials. The subject is the client's, in a
      // namespace no user's id shares (client-subject.ts), so a client named like a user is not that user.
      return json(
        200,
        await options.service.issue(
          { id: clientSubject(client.clientId), scopes: scope.split(' ') },
          { clientId: client.clientId, scope, refresh: false },
        ),
      );
    }

    if (grant === 'refresh_token') {
      const refreshToken = form.get('refresh_token');
      if (!refreshToken) throw new OAuthFailure('invalid_request', 'refresh_token is missing.');
      const scope = form.get('scope');
      return json(
        200,
        await options.service.refresh(refreshToken, {
          clientId: client.clientId,
          ...(scope !== undefined ? { scope } : {}),
          // The user as they are now, with what this client may still ask for, as at sign-in.
          currentIdentity: async (id) => {
            const user = await options.users.findUserById(id);
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

    const username = form.get('username');
    const password = form.get('password');
    if (!username || password === undefined)
      throw new OAuthFailure('invalid_request', 'username and password are required for the password grant.');
    const user = await signIn.verify(username, password, info.ip);
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
        headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': String(wait), ...NO_STORE },
      });
    }
    // A user grants their scopes and role:R for their roles (role-scopes.ts), as far as the client may ask.
    const allowed = grantableScopes(user).filter((s) => client.scopes.includes(s));
    const scope = grantedScope(form.get('scope'), allowed, allowed);
    return json(
      200,
      await options.service.issue(
        { id: user.id, scopes: scope.split(' '), roles: user.roles ?? [] },
        { clientId: client.clientId, scope },
      ),
    );
  }

  async function revoke(request: Request): Promise<Response> {
    const form = await readForm(request);
    const client = await authenticateClient(request, form);
    const token = form.get('token');
    if (!token) throw new OAuthFailure('invalid_request', 'token is missing.');
    const hint = form.get('token_type_hint');
    await options.service.revoke(token, { clientId: client.clientId, ...(hint ? { hint } : {}) });
    // RFC 7009 §2.2: 200 whether or not the token was valid.
    return new Response(null, { status: 200, headers: NO_STORE });
  }

  function metadata(request: Request): Response {
    const origin = new URL(request.url).origin;
    return json(200, {
      issuer: options.service.issuer,
      token_endpoint: origin + paths.token,
      revocation_endpoint: origin + paths.revocation,
      jwks_uri: origin + paths.jwks,
      grant_types_supported: [...GRANTS],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      response_types_supported: [],
    });
  }

  const handle = async (request: Request, info: RequestInfo = {}): Promise<Response | undefined> => {
    const path = URL.parse(request.url)?.pathname;
    if (path === undefined) return problemResponse('request_invalid', 'The request URL is not valid.');
    try {
      if (path === paths.token) return await token(request, info);
      if (path === paths.revocation) return await revoke(request);
      if (path === paths.jwks)
        return json(200, await options.service.jwks(), { 'cache-control': 'public, max-age=300' });
      if (path === paths.metadata) return metadata(request);
      return undefined;
    } catch (error) {
      if (error instanceof TokenGrantError)
        return json(400, { error: error.oauthError, error_description: error.message });
      if (error instanceof BodyTooLargeError)
        return problemResponse(error.refusal.reason, error.refusal.detail!, { connection: 'close' });
      if (error instanceof RequestInvalidError) return problemResponse('request_invalid', error.message);
      if (!(error instanceof OAuthFailure)) {
        // The server's failure (a store out of reach): 5xx, never an OAuth error the client would act on.
        const failure = failureOf(error, `${path === paths.token ? 'token' : 'revocation'} endpoint`);
        report(options.onError, failure);
        return failureResponse(failure);
      }
      const headers: Record<string, string> = {};
      if (error.challenge)
        headers['www-authenticate'] = formatChallenges([{ scheme: 'Basic', params: { realm, charset: 'UTF-8' } }]);
      if (error.status === 405) headers['allow'] = 'POST';
      return json(error.status, { error: error.code, error_description: error.message }, headers);
    }
  };
  // The mounts read no more of a body than the endpoint would (a stalled client holds 16 KiB, not 1 MiB).
  return { paths, handle: Object.assign(handle, { maxBodyBytes }) };
}
