/**
 * OAuth 2.0 grants as token sources: client credentials (RFC 6749 §4.4) and refresh token
 * (RFC 6749 §6). The token request goes straight to the transport, never through a client's
 * auth stage, so a failing token endpoint can never start a refresh of its own.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import type { Transport } from '../transport.ts';
import { requestToken, type TokenEndpoint } from './token-endpoint.ts';
import { type TokenSource, type TokenSourceOptions, tokenSource } from './token-source.ts';

interface OAuth2CommonOptions extends TokenSourceOptions {
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
export function oauth2ClientCredentials(options: ClientCredentialsOptions): TokenSource {
  const endpoint = validate(options, 'oauth2ClientCredentials');
  if (typeof options.clientSecret !== 'string' || !options.clientSecret)
    throw invalidArgument('oauth2ClientCredentials: clientSecret is required');
  return tokenSource(
    async ({ signal }) => {
      const params = new URLSearchParams({ grant_type: 'client_credentials' });
      if (options.audience) params.set('audience', options.audience);
      return requestToken(endpoint, params, options.clientSecret, signal);
    },
    { ...options, key: options.key ?? `oauth2:client_credentials:${endpoint.tokenUrl.href}:${options.clientId}` },
  );
}

/** Tokens from a refresh token, which is rotated and persisted when the server issues a new one. */
export function oauth2RefreshToken(options: RefreshTokenOptions): TokenSource {
  const endpoint = validate(options, 'oauth2RefreshToken');
  if (typeof options.refreshToken !== 'string' || !options.refreshToken)
    throw invalidArgument('oauth2RefreshToken: refreshToken is required');
  return tokenSource(
    async ({ signal, current }) => {
      const refreshToken = current?.refreshToken ?? options.refreshToken;
      const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
      const token = await requestToken(endpoint, params, options.clientSecret, signal, [refreshToken]);
      token.refreshToken ??= refreshToken;
      return token;
    },
    { ...options, key: options.key ?? `oauth2:refresh_token:${endpoint.tokenUrl.href}:${options.clientId}` },
  );
}

function validate(options: OAuth2CommonOptions, name: string): TokenEndpoint {
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
  };
}
