/**
 * One request to an OAuth 2.0 token endpoint (RFC 6749 §3.2) and the token in its answer (§5.1),
 * or an AuthenticationError that says what went wrong (§5.2) with no secret of the request in it.
 * It goes straight to the transport, never through a client's stages.
 */
import { formatAuthorization, headerSecrets, redactText, redactUrl, secretRedactor } from '../../http/index.ts';
import type { DpopKey } from '../auth/dpop.ts';
import { AuthenticationError } from '../errors/authentication-error.ts';
import { readBodyStart } from '../errors/body-excerpt.ts';
import { errorDescription, serverSays } from '../errors/error-description.ts';
import type { Transport } from '../transport.ts';
import { type Token, type TokenResponse, tokenFromResponse } from './token.ts';

const TOKEN_BODY_LIMIT = 65_536; // bytes read of a token endpoint's answer

/** A token endpoint as the grants call it: where it is, how the client authenticates, what it asks for. */
export interface TokenEndpoint {
  tokenUrl: URL;
  clientId: string;
  clientAuthentication: 'basic' | 'body';
  scope: string | undefined;
  extraParams: Readonly<Record<string, string>>;
  fetch: Transport;
  /** The DPoP key token requests prove possession of (RFC 9449 §5). */
  dpop?: DpopKey;
}

// RFC 6749 §2.3.1: client id and secret are form-urlencoded before they become the Basic pair.
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

const HINTS: Record<string, string> = {
  invalid_client: 'check the client id and secret, and how the client authenticates (clientAuthentication)',
  invalid_grant: 'the refresh token or credentials expired, were revoked or were already used: sign in again',
  unauthorized_client: 'this client may not use this grant type: check its registration',
  unsupported_grant_type: 'the server does not offer this grant type',
  invalid_scope: 'ask for scopes the client is allowed',
  invalid_request: 'the request is missing or repeats a parameter',
  unsupported_token_type: 'the server does not take this kind of token at this endpoint (see bodyExcerpt)',
};

/**
 * Sends the grant's `params` to the token endpoint and reads the token. `secrets` are the grant's
 * own (a refresh token), masked like the client secret wherever the answer echoes them.
 */
export async function requestToken(
  endpoint: TokenEndpoint,
  params: URLSearchParams,
  clientSecret: string | undefined,
  signal: AbortSignal,
  secrets: string[] = [],
): Promise<Token> {
  if (endpoint.scope) params.set('scope', endpoint.scope);
  for (const [name, value] of Object.entries(endpoint.extraParams)) params.set(name, value);
  const sent = await postAuthenticated(endpoint, endpoint.tokenUrl, params, clientSecret, signal, secrets, 'token');
  if (endpoint.dpop && sent.response.status === 400) {
    // RFC 9449 §8: use_dpop_nonce is answered with exactly one retry, its proof carrying the new nonce.
    const { body, excerpt } = await readAnswer(sent.response, sent.known);
    if ((body as { error?: unknown } | undefined)?.error === 'use_dpop_nonce' && sent.newNonce) {
      const again = await postAuthenticated(
        endpoint,
        endpoint.tokenUrl,
        params,
        clientSecret,
        signal,
        secrets,
        'token',
      );
      return readTokenAnswer(again.response, again.where, again.known);
    }
    throw refusalError('token', sent.where, sent.response.status, body, excerpt, sent.known);
  }
  return readTokenAnswer(sent.response, sent.where, sent.known);
}

/** A client-authenticated POST's answer, where it went (as shown) and every secret it carried. */
export interface AuthenticatedAnswer {
  response: Response;
  where: string;
  known: string[];
  /** Whether the answer brought a DPoP nonce the key did not have. */
  newNonce?: boolean;
}

/**
 * POSTs a form to one of the authorization server's client-authenticated endpoints (token, RFC
 * 7662 introspection, RFC 7009 revocation), authenticating the client as the endpoint says.
 */
export async function postAuthenticated(
  endpoint: TokenEndpoint,
  url: URL,
  params: URLSearchParams,
  clientSecret: string | undefined,
  signal: AbortSignal,
  secrets: readonly string[],
  what: string,
): Promise<AuthenticatedAnswer> {
  const headers = authenticate(endpoint, params, clientSecret);
  // RFC 9449 §5: a token request carries a proof of the key the tokens are to be bound to.
  if (endpoint.dpop && what === 'token') headers.set('dpop', await endpoint.dpop.proof('POST', url));
  const where = redactUrl(url);
  // Every form of the client secret the request carried: raw and form-encoded (client_secret_post),
  // inside the Basic pair (client_secret_basic: form-encoded, then base64; RFC 6749 §2.3.1).
  const sentAuthorization = headers.get('authorization');
  const known = [
    ...secrets,
    ...(clientSecret ? [clientSecret, formEncode(clientSecret)] : []),
    ...(sentAuthorization ? headerSecrets('authorization', sentAuthorization) : []),
  ];
  try {
    // Called as a plain function: browsers refuse a fetch called as a method of another object.
    const send = endpoint.fetch;
    const response = await send(url.href, { method: 'POST', headers, body: params, signal, redirect: 'error' });
    const newNonce = endpoint.dpop?.rememberNonce(url, response) ?? false;
    return { response, where, known, newNonce };
  } catch (error) {
    const timedOut = signal.aborted;
    throw new AuthenticationError(
      `The ${what} endpoint ${where} ${timedOut ? 'did not answer in time' : 'could not be reached'}${what === 'token' ? '; every request waiting for a token fails too' : ''}.`,
      { cause: error },
    );
  }
}

/** The client's authentication: the client id and secret as a Basic pair (RFC 6749 §2.3.1), or in the form. */
function authenticate(endpoint: TokenEndpoint, params: URLSearchParams, clientSecret: string | undefined): Headers {
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
  if (clientSecret !== undefined && endpoint.clientAuthentication === 'basic') {
    headers.set(
      'authorization',
      formatAuthorization({
        kind: 'basic',
        username: formEncode(endpoint.clientId),
        password: formEncode(clientSecret),
      }),
    );
  } else {
    params.set('client_id', endpoint.clientId);
    if (clientSecret !== undefined) params.set('client_secret', clientSecret);
  }
  return headers;
}

/** The JSON body of an answer, read bounded (undefined when it is not JSON), and its excerpt with `known` masked. */
export async function readAnswer(
  response: Response,
  known: readonly string[],
): Promise<{ body: unknown; excerpt: string }> {
  // An answer is a few hundred bytes; an endless one is cut and let go.
  const { text } = await readBodyStart(response, TOKEN_BODY_LIMIT);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { body, excerpt: redactText(text, known) };
}

/**
 * The AuthenticationError for an endpoint's refusal (RFC 6749 §5.2): its OAuth error, a hint (the
 * caller's `hint` when it knows better), the server's error_description, an excerpt.
 */
export function refusalError(
  what: string,
  where: string,
  status: number,
  body: unknown,
  excerpt: string,
  known: readonly string[],
  hint?: string,
): AuthenticationError {
  // The error code and description are the server's text too: an echoing server may put the secret in them.
  const redact = secretRedactor(known);
  const { error: code, error_description: said } = (body ?? {}) as Record<string, unknown>;
  const error = typeof code === 'string' ? redact(code) : undefined;
  const description = errorDescription(said, redact);
  const advice = hint ?? (error ? HINTS[error] : undefined);
  return new AuthenticationError(
    `The ${what} endpoint ${where} refused the request with ${status}${error ? ` ${error}` : ''}${advice ? `: ${advice}` : ''}${serverSays(description)}`,
    {
      status,
      bodyExcerpt: excerpt,
      ...(error ? { oauthError: error } : {}),
      ...(description ? { errorDescription: description } : {}),
    },
  );
}

/** The token in the answer; otherwise an AuthenticationError with the OAuth error, a hint and an excerpt, `known` masked. */
async function readTokenAnswer(response: Response, where: string, known: readonly string[]): Promise<Token> {
  const { body, excerpt } = await readAnswer(response, known);
  if (!response.ok) throw refusalError('token', where, response.status, body, excerpt, known);
  const tokenBody = body as TokenResponse | undefined;
  if (!tokenBody || typeof tokenBody.access_token !== 'string' || !tokenBody.access_token) {
    throw new AuthenticationError(
      `The token endpoint ${where} answered ${response.status} without an access_token (RFC 6749 §5.1).`,
      { status: response.status, bodyExcerpt: excerpt },
    );
  }
  return tokenFromResponse(tokenBody, response.headers.get('date'));
}
