/** Token revocation (RFC 7009): telling the authorization server a token is no longer needed. */
import { postAuthenticated, readAnswer, refusalError, type TokenEndpoint } from './token-endpoint.ts';

/**
 * RFC 7009 §2.1: POST token and its type as a hint, with the client's authentication. §2.2: a 200
 * means revoked, also for a token the server no longer knows; anything else is an error.
 */
export async function revokeToken(
  endpoint: TokenEndpoint,
  url: URL,
  token: string,
  hint: 'access_token' | 'refresh_token',
  clientSecret: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const params = new URLSearchParams({ token, token_type_hint: hint });
  const sent = await postAuthenticated(endpoint, url, params, clientSecret, signal, [token], 'revocation');
  const { body, excerpt } = await readAnswer(sent.response, sent.known);
  if (!sent.response.ok) throw refusalError('revocation', sent.where, sent.response.status, body, excerpt, sent.known);
}
