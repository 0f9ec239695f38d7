/** Token introspection (RFC 7662): asking the authorization server whether a token is active. */
import { AuthenticationError } from '../errors/authentication-error.ts';
import { postAuthenticated, readAnswer, refusalError, type TokenEndpoint } from './token-endpoint.ts';

/** An introspection response (RFC 7662 §2.2): `active`, and what the server says of an active token. */
export interface Introspection {
  active: boolean;
  scope?: string;
  client_id?: string;
  username?: string;
  token_type?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  jti?: string;
  [member: string]: unknown;
}

const PUBLIC =
  'introspection needs a confidential client: RFC 7662 §2.1 requires the caller to authenticate, and this token source has no clientSecret (a public client, such as a CLI, mostly cannot; the API that receives the token, with its own client secret, can)';

/** RFC 7662 §2.1: POST token (and its type as a hint) with the client's authentication. */
export async function introspectToken(
  endpoint: TokenEndpoint,
  url: URL,
  token: string,
  hint: 'access_token' | 'refresh_token',
  clientSecret: string | undefined,
  signal: AbortSignal,
): Promise<Introspection> {
  const params = new URLSearchParams({ token, token_type_hint: hint });
  const sent = await postAuthenticated(endpoint, url, params, clientSecret, signal, [token], 'introspection');
  const { body, excerpt } = await readAnswer(sent.response, sent.known);
  if (!sent.response.ok) {
    const { status } = sent.response;
    const error = (body as { error?: unknown } | undefined)?.error;
    // RFC 7662 §2.1: the endpoint must know who asks; a public client (no secret) proves nothing, so most refuse it.
    const publicClient =
      clientSecret === undefined && (status === 401 || error === 'invalid_client' || error === 'unauthorized_client');
    throw refusalError(
      'introspection',
      sent.where,
      status,
      body,
      excerpt,
      sent.known,
      publicClient ? PUBLIC : undefined,
    );
  }
  // RFC 7662 §2.2: `active` is REQUIRED and a boolean.
  if (!body || typeof body !== 'object' || typeof (body as Introspection).active !== 'boolean')
    throw new AuthenticationError(
      `The introspection endpoint ${sent.where} answered without a boolean active (RFC 7662 §2.2): check that the URL is its introspection endpoint.`,
      { status: sent.response.status, bodyExcerpt: excerpt },
    );
  return body as Introspection;
}
