import { invalidArgument } from '../../http/argument-error.ts';
import { formatAuthorization, parseChallenges } from '../../http/index.ts';
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { AuthStrategy } from '../auth-flow.ts';
import { staticToken, type TokenSource, tokenSource } from '../tokens/token-source.ts';

/**
 * Bearer tokens (RFC 6750). Given a token source, a 401 leads to at most one refresh per
 * request: concurrent 401s for the same token share one refresh, a 401 for a token that was
 * already replaced retries with the new one, and a 401 that says `insufficient_scope` (or any
 * 403) never refreshes, since a new token of the same grant would not have the scope.
 *
 * @param tokenOrSource a fixed token, a TokenSource (oauth2ClientCredentials(), oauth2RefreshToken(),
 * tokenSource()), or a function returning a token, called again only when the server refuses it.
 */
export function bearer(tokenOrSource: string | TokenSource | (() => MaybePromise<string>)): AuthStrategy {
  let source: TokenSource;
  if (typeof tokenOrSource === 'string') {
    formatAuthorization({ kind: 'bearer', token: tokenOrSource }); // validates once, at creation
    source = staticToken(tokenOrSource);
  } else if (typeof tokenOrSource === 'function') {
    source = tokenSource(async () => tokenOrSource());
  } else if (tokenOrSource && typeof tokenOrSource.getToken === 'function') {
    source = tokenOrSource;
  } else {
    throw invalidArgument(
      'bearer(tokenOrSource): pass a token string, a token source, or a function returning a token',
    );
  }

  // The header of the last token, formatted (and validated) once rather than per request.
  let last: { token: string; header: string } | undefined;
  const header = (token: string) => {
    if (last?.token !== token) last = { token, header: formatAuthorization({ kind: 'bearer', token }) };
    return last.header;
  };

  return {
    name: 'bearer',
    async *flow(request, context) {
      const token = await source.getToken({ signal: context.signal });
      request.headers.set('authorization', header(token.accessToken));
      const response = yield request;
      if (response.status !== 401 || !source.refreshable) return;
      // RFC 6750 §3.1: a token that lacks scope gets insufficient_scope; refreshing cannot add scope.
      // RFC 9470 §3: nor a stronger sign-in (insufficient_user_authentication): a refresh keeps the old one.
      const challenges = parseChallenges(response.headers);
      if (challenges.some((c) => /^insufficient_(scope|user_authentication)$/.test(c.params['error'] ?? ''))) return;

      const fresh = await source.getToken({ rejected: token.accessToken, signal: context.signal });
      const recovered = fresh.accessToken !== token.accessToken;
      context.reportRefresh({ reason: 'unauthorized', recovered });
      if (!recovered) return;
      request.headers.set('authorization', header(fresh.accessToken));
      yield request;
    },
  };
}
