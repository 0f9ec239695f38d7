/**
 * OAuth 2.0 grants as token sources: client credentials (RFC 6749 §4.4) and refresh token
 * (RFC 6749 §6). The token request goes straight to the transport, never through a client's
 * auth stage, so a failing token endpoint can never start a refresh of its own.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { formatAuthorization, headerSecrets, redactText, redactUrl, secretRedactor } from '../../http/index.ts';
import { AuthenticationError } from '../errors/authentication-error.ts';
import { readBodyStart } from '../errors/body-excerpt.ts';
import type { Transport } from '../transport.ts';

const TOKEN_BODY_LIMIT = 65_536; // bytes read of a token endpoint's answer

import { type Token, type TokenResponse, tokenFromResponse } from './token.ts';
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
  const common = validate(options, 'oauth2ClientCredentials');
  if (typeof options.clientSecret !== 'string' || !options.clientSecret)
    throw invalidArgument('oauth2ClientCredentials: clientSecret is required');
  return tokenSource(
    async ({ signal }) => {
      const params = new URLSearchParams({ grant_type: 'client_credentials' });
      if (options.audience) params.set('audience', options.audience);
      return requestToken(common, params, options.clientSecret, signal);
    },
    { ...options, key: options.key ?? `oauth2:client_credentials:${common.tokenUrl.href}:${options.clientId}` },
  );
}

/** Tokens from a refresh token, which is rotated and persisted when the server issues a new one. */
export function oauth2RefreshToken(options: RefreshTokenOptions): TokenSource {
  const common = validate(options, 'oauth2RefreshToken');
  if (typeof options.refreshToken !== 'string' || !options.refreshToken)
    throw invalidArgument('oauth2RefreshToken: refreshToken is required');
  return tokenSource(
    async ({ signal, current }) => {
      const refreshToken = current?.refreshToken ?? options.refreshToken;
      const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
      const token = await requestToken(common, params, options.clientSecret, signal, [refreshToken]);
      token.refreshToken ??= refreshToken;
      return token;
    },
    { ...options, key: options.key ?? `oauth2:refresh_token:${common.tokenUrl.href}:${options.clientId}` },
  );
}

interface Common {
  tokenUrl: URL;
  clientId: string;
  clientAuthentication: 'basic' | 'body';
  scope: string | undefined;
  extraParams: Readonly<Record<string, string>>;
  fetch: Transport;
}

function validate(options: OAuth2CommonOptions, name: string): Common {
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

// RFC 6749 §2.3.1: client id and secret are form-urlencoded before they become the Basic pair.
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

const HINTS: Record<string, string> = {
  invalid_client: 'check the client id and secret, and how the client authenticates (clientAuthentication)',
  invalid_grant: 'the refresh token or credentials expired, were revoked or were already used: sign in again',
  unauthorized_client: 'this client may not use this grant type: check its registration',
  unsupported_grant_type: 'the server does not offer this grant type',
  invalid_scope: 'ask for scopes the client is allowed',
  invalid_request: 'the token request is missing or repeats a parameter',
};

async function requestToken(
  common: Common,
  params: URLSearchParams,
  clientSecret: string | undefined,
  signal: AbortSignal,
  secrets: string[] = [],
): Promise<Token> {
  if (common.scope) params.set('scope', common.scope);
  for (const [name, value] of Object.entries(common.extraParams)) params.set(name, value);
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  if (clientSecret !== undefined && common.clientAuthentication === 'basic') {
    headers.set(
      'authorization',
      formatAuthorization({ kind: 'basic', username: formEncode(common.clientId), password: formEncode(clientSecret) }),
    );
  } else {
    params.set('client_id', common.clientId);
    if (clientSecret !== undefined) params.set('client_secret', clientSecret);
  }
  const where = redactUrl(common.tokenUrl);
  // Every form of the client secret the request carried: raw and form-encoded (client_secret_post),
  // inside the Basic pair (client_secret_basic: form-encoded, then base64; RFC 6749 §2.3.1).
  const sentAuthorization = headers.get('authorization');
  const known = [
    ...secrets,
    ...(clientSecret ? [clientSecret, formEncode(clientSecret)] : []),
    ...(sentAuthorization ? headerSecrets('authorization', sentAuthorization) : []),
  ];

  let response: Response;
  try {
    // Called as a plain function: browsers refuse a fetch called as a method of another object.
    const send = common.fetch;
    response = await send(common.tokenUrl.href, {
      method: 'POST',
      headers,
      body: params,
      signal,
      redirect: 'error',
    });
  } catch (error) {
    const timedOut = signal.aborted;
    throw new AuthenticationError(
      `The token endpoint ${where} ${timedOut ? 'did not answer in time' : 'could not be reached'}; every request waiting for a token fails too.`,
      { cause: error },
    );
  }
  // A token response is a few hundred bytes; an endless one is cut and let go.
  const { text } = await readBodyStart(response, TOKEN_BODY_LIMIT);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const excerpt = redactText(text, known);
  if (!response.ok) {
    // The error code is the server's text too: an echoing server may put the secret in it.
    const error =
      typeof (body as { error?: unknown })?.error === 'string'
        ? secretRedactor(known)((body as { error: string }).error)
        : undefined;
    const hint = error && HINTS[error] ? `: ${HINTS[error]}` : '';
    throw new AuthenticationError(
      `The token endpoint ${where} refused the request with ${response.status}${error ? ` ${error}` : ''}${hint}.`,
      { status: response.status, bodyExcerpt: excerpt, ...(error ? { oauthError: error } : {}) },
    );
  }
  const tokenBody = body as TokenResponse | undefined;
  if (!tokenBody || typeof tokenBody.access_token !== 'string' || !tokenBody.access_token) {
    throw new AuthenticationError(
      `The token endpoint ${where} answered ${response.status} without an access_token (RFC 6749 §5.1).`,
      {
        status: response.status,
        bodyExcerpt: excerpt,
      },
    );
  }
  return tokenFromResponse(tokenBody, response.headers.get('date'));
}
