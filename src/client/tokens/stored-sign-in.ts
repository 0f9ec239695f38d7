/**
 * A sign-in already kept in a store, taken up instead of a new one: the next run of a CLI, or
 * another process on the same token file, uses the refresh token the first sign-in left there
 * (RFC 6749 §6) and asks the person nothing. Only a sign-in that can go on is taken: one with a
 * refresh token, of the kind of token asked for (bound to this DPoP key, or Bearer), with the
 * scopes asked for, whose refresh token the server still takes.
 */
import { decodeJwt } from '../../http/jwt.ts';
import type { AuthorizationServerMetadata } from '../discovery/authorization-server-metadata.ts';
import { AuthenticationError } from '../errors/authentication-error.ts';
import { type AuthorizationCodeOptions, signInTokens } from './authorization-code.ts';
import { type OAuth2TokenSource, signedInSource } from './oauth2.ts';
import { isTokenObject, type Token } from './token.ts';

/** The token source of the sign-in in `options.store` for this token endpoint and client, or undefined when a new sign-in is needed. */
export async function storedSignIn(
  server: AuthorizationServerMetadata,
  options: AuthorizationCodeOptions,
): Promise<OAuth2TokenSource | undefined> {
  // RFC 9470 §4: a sign-in level asked for (acr_values, max_age) needs the person, whatever is kept.
  if (!options.store || options.acrValues !== undefined || options.maxAge !== undefined) return undefined;
  const { endpoint, common } = signInTokens(server, options);
  const saved = await common.store.get(common.key);
  if (!isTokenObject(saved) || !saved.refreshToken || !(await fits(saved, options))) return undefined;
  const source = signedInSource(endpoint, common, saved.refreshToken, options.clientSecret);
  try {
    await source.getToken(); // the kept access token while it lasts, else a refreshed one
  } catch (error) {
    // RFC 6749 §5.2: the refresh token expired, was revoked or was used already; a new sign-in replaces it.
    if (error instanceof AuthenticationError && error.oauthError === 'invalid_grant') return undefined;
    throw error;
  }
  return source;
}

/** Whether a kept sign-in is what these options ask for: its binding (RFC 9449) and its scopes. */
async function fits(saved: Token, options: AuthorizationCodeOptions): Promise<boolean> {
  const bound = saved.tokenType?.toLowerCase() === 'dpop';
  if (bound !== (options.dpop !== undefined)) return false;
  // RFC 9449 §6.1: a JWT access token names its key (cnf.jkt); one bound to another key is no use with this one.
  const cnf = decodeJwt(saved.accessToken)?.payload['cnf'] as { jkt?: unknown } | undefined;
  if (options.dpop && typeof cnf?.jkt === 'string' && cnf.jkt !== (await options.dpop.thumbprint())) return false;
  // RFC 6749 §5.1: a token response without scope granted the scope asked for.
  if (saved.scope === undefined) return true;
  const granted = new Set(saved.scope.split(' '));
  const asked = typeof options.scope === 'string' ? options.scope.split(' ') : (options.scope ?? []);
  return asked.every((scope) => !scope || granted.has(scope));
}
