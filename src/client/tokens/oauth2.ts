/**
 * OAuth 2.0 grants as token sources: client credentials (RFC 6749 §4.4) and refresh token
 * (RFC 6749 §6). The token request goes straight to the transport, never through a client's
 * auth stage, so a failing token endpoint can never start a refresh of its own.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import type { DpopKey } from '../auth/dpop.ts';
import { AuthenticationError } from '../errors/authentication-error.ts';
import type { Transport } from '../transport.ts';
import { type Introspection, introspectToken } from './introspection.ts';
import { revokeToken } from './revocation.ts';
import { requestToken, type TokenEndpoint } from './token-endpoint.ts';
import { type HeldTokenSource, type TokenSource, type TokenSourceOptions, tokenSource } from './token-source.ts';

/** A token source of an OAuth 2.0 authorization server, which can also introspect and revoke what it holds. */
export interface OAuth2TokenSource extends TokenSource {
  /**
   * Asks the introspection endpoint (RFC 7662) about the held access token, or refresh token.
   * `{ active: false }` when none is held. It needs a confidential client (a `clientSecret`): RFC
   * 7662 §2.1 requires the caller to authenticate, and most servers refuse a public one.
   * @throws AuthenticationError without an introspectionUrl, or when refused (for a public client,
   * the message says that introspection needs a confidential client).
   */
  introspect(which?: 'access_token' | 'refresh_token', options?: { signal?: AbortSignal }): Promise<Introspection>;
  /**
   * Logs out: revokes the refresh token first, then the access token (RFC 7009 §2.1), and drops
   * both from the store, whatever the server answers. A server that cannot revoke the access
   * token (a self-contained JWT: `unsupported_token_type`, RFC 7009 §2.2.1) leaves it to expire;
   * the result says so. @throws AuthenticationError without a revocationUrl, or when the server
   * refused otherwise (the tokens are dropped here all the same).
   */
  revoke(options?: { signal?: AbortSignal }): Promise<Revocation>;
}

/** What revoke() did with each token: revoked it, held none, or was told the server cannot revoke it. */
export interface Revocation {
  refreshToken: 'revoked' | 'none';
  accessToken: 'revoked' | 'none' | 'unsupported';
}

export interface OAuth2CommonOptions extends TokenSourceOptions {
  /** The token endpoint. */
  tokenUrl: string | URL;
  clientId: string;
  /**
   * How the client authenticates: HTTP Basic (RFC 6749 §2.3.1, which every server must accept)
   * or client_id and client_secret in the body. @default 'basic'
   */
  clientAuthentication?: 'basic' | 'body';
  /** Scopes to ask for. */
  scope?: string | readonly string[];
  /** Further form parameters, such as `audience` or `resource` (RFC 8707). */
  extraParams?: Readonly<Record<string, string>>;
  /** The transport for token requests. @default globalThis.fetch */
  fetch?: Transport;
  /**
   * A DPoP key (`dpop()`, RFC 9449): every token request carries a proof, and the tokens come back
   * bound to the key; pass the same key to `bearer(source, { dpop })`. @default none (Bearer tokens)
   */
  dpop?: DpopKey;
  /** The introspection endpoint (RFC 7662), for `introspect()`. */
  introspectionUrl?: string | URL;
  /** The revocation endpoint (RFC 7009), for `revoke()`. */
  revocationUrl?: string | URL;
}

export interface ClientCredentialsOptions extends OAuth2CommonOptions {
  clientSecret: string;
  /** The API the token is for, as Auth0 and others spell it. */
  audience?: string;
}

export interface RefreshTokenOptions extends OAuth2CommonOptions {
  /** For confidential clients; public clients send only client_id. */
  clientSecret?: string;
  /** The refresh token to start from; a rotated one replaces it, in the store too. */
  refreshToken: string;
}

/** Tokens from the client credentials grant: a service calling an API as itself. */
export function oauth2ClientCredentials(options: ClientCredentialsOptions): OAuth2TokenSource {
  const endpoint = validate(options, 'oauth2ClientCredentials');
  if (typeof options.clientSecret !== 'string' || !options.clientSecret)
    throw invalidArgument('oauth2ClientCredentials: clientSecret is required');
  const source = tokenSource(
    async ({ signal }) => {
      const params = new URLSearchParams({ grant_type: 'client_credentials' });
      if (options.audience) params.set('audience', options.audience);
      return requestToken(endpoint, params, options.clientSecret, signal);
    },
    { ...options, key: options.key ?? `oauth2:client_credentials:${endpoint.tokenUrl.href}:${options.clientId}` },
  );
  return withTokenLifecycle(source, endpoint, options, options.clientSecret);
}

/** Tokens from a refresh token, which is rotated and persisted when the server issues a new one. */
export function oauth2RefreshToken(options: RefreshTokenOptions): OAuth2TokenSource {
  const endpoint = validate(options, 'oauth2RefreshToken');
  if (typeof options.refreshToken !== 'string' || !options.refreshToken)
    throw invalidArgument('oauth2RefreshToken: refreshToken is required');
  return signedInSource(endpoint, options, options.refreshToken, options.clientSecret);
}

/**
 * The token source of a sign-in (the refresh grant, or an authorization code's tokens already in
 * the store): refreshed with its refresh token, rotated ones kept; without one, a refusal says
 * to sign in again.
 */
export function signedInSource(
  endpoint: TokenEndpoint,
  options: OAuth2CommonOptions,
  initialRefreshToken: string | undefined,
  clientSecret: string | undefined,
): OAuth2TokenSource {
  const source = tokenSource(
    async ({ signal, current }) => {
      const refreshToken = current?.refreshToken ?? initialRefreshToken;
      if (!refreshToken)
        throw new AuthenticationError(
          'The access token expired or was refused and no refresh token was issued: sign in again.',
        );
      const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
      const token = await requestToken(endpoint, params, clientSecret, signal, [refreshToken]);
      token.refreshToken ??= refreshToken;
      return token;
    },
    { ...options, key: options.key ?? `oauth2:refresh_token:${endpoint.tokenUrl.href}:${options.clientId}` },
  );
  return withTokenLifecycle(source, endpoint, options, clientSecret);
}

/** Adds introspect() and revoke() to a source, over the endpoints the options name. */
function withTokenLifecycle(
  source: HeldTokenSource,
  endpoint: TokenEndpoint,
  options: OAuth2CommonOptions,
  clientSecret: string | undefined,
): OAuth2TokenSource {
  const introspectionUrl = optionalUrl(options.introspectionUrl, 'introspectionUrl');
  const revocationUrl = optionalUrl(options.revocationUrl, 'revocationUrl');
  const signalOf = (given: AbortSignal | undefined) => given ?? AbortSignal.timeout(options.refreshTimeoutMs ?? 30_000);
  return {
    refreshable: source.refreshable,
    getToken: (getOptions) => source.getToken(getOptions),
    async introspect(which = 'access_token', { signal } = {}) {
      if (!introspectionUrl)
        throw new AuthenticationError(
          "introspect(): this token source has no introspectionUrl: pass the authorization server's introspection endpoint.",
        );
      const held = await source.held();
      const token = which === 'refresh_token' ? held?.refreshToken : held?.accessToken;
      if (!token) return { active: false };
      return introspectToken(endpoint, introspectionUrl, token, which, clientSecret, signalOf(signal));
    },
    async revoke({ signal } = {}) {
      if (!revocationUrl)
        throw new AuthenticationError(
          "revoke(): this token source has no revocationUrl: pass the authorization server's revocation endpoint.",
        );
      const held = await source.held();
      const result: Revocation = { refreshToken: 'none', accessToken: 'none' };
      try {
        // RFC 7009 §2.1: revoking the refresh token first lets the server drop the grant's access tokens with it.
        if (held?.refreshToken) {
          await revokeToken(
            endpoint,
            revocationUrl,
            held.refreshToken,
            'refresh_token',
            clientSecret,
            signalOf(signal),
          );
          result.refreshToken = 'revoked';
        }
        if (held?.accessToken) {
          try {
            await revokeToken(
              endpoint,
              revocationUrl,
              held.accessToken,
              'access_token',
              clientSecret,
              signalOf(signal),
            );
            result.accessToken = 'revoked';
          } catch (error) {
            // RFC 7009 §2.2.1: the server cannot revoke access tokens (self-contained ones expire on their own).
            if (!(error instanceof AuthenticationError && error.oauthError === 'unsupported_token_type')) throw error;
            result.accessToken = 'unsupported';
          }
        }
      } finally {
        await source.forget();
      }
      return result;
    },
  };
}

function optionalUrl(value: string | URL | undefined, name: string): URL | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(String(value));
  } catch {
    throw invalidArgument(`${name} must be an absolute URL`);
  }
}

/** The token endpoint the options describe, checked once. */
export function validate(options: OAuth2CommonOptions, name: string): TokenEndpoint {
  if (!options || typeof options !== 'object') throw invalidArgument(`${name}(options): options are required`);
  let tokenUrl: URL;
  try {
    tokenUrl = new URL(String(options.tokenUrl));
  } catch {
    throw invalidArgument(`${name}: tokenUrl must be an absolute URL`);
  }
  if (typeof options.clientId !== 'string' || !options.clientId) throw invalidArgument(`${name}: clientId is required`);
  const auth = options.clientAuthentication ?? 'basic';
  if (auth !== 'basic' && auth !== 'body')
    throw invalidArgument(`${name}: clientAuthentication must be 'basic' or 'body'`);
  const transport = options.fetch ?? globalThis.fetch;
  if (typeof transport !== 'function') throw invalidArgument(`${name}: fetch must be a function`);
  const scope = Array.isArray(options.scope) ? options.scope.join(' ') : (options.scope as string | undefined);
  return {
    tokenUrl,
    clientId: options.clientId,
    clientAuthentication: auth,
    scope,
    extraParams: options.extraParams ?? {},
    fetch: transport,
    ...(options.dpop ? { dpop: options.dpop } : {}),
  };
}
