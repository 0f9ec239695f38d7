import { invalidArgument } from '../../http/argument-error.ts';
import { formatAuthorization, parseChallenges } from '../../http/index.ts';
import type { MaybePromise } from '../../http/maybe-promise.ts';
import { type AuthStrategy, oneSendStrategy } from '../auth-flow.ts';
import type { OutgoingRequest } from '../outgoing-request.ts';
import type { Token } from '../tokens/token.ts';
import { staticToken, type TokenSource, tokenSource } from '../tokens/token-source.ts';
import type { DpopKey } from './dpop.ts';

export interface BearerOptions {
  /**
   * Send the token as `Authorization: DPoP` with a fresh proof of this key on every request
   * (RFC 9449 §7): the key the token source's tokens are bound to (its `dpop` option). A 401
   * `use_dpop_nonce` is answered with exactly one retry carrying the nonce. @default Bearer
   */
  dpop?: DpopKey;
}

/**
 * Bearer tokens (RFC 6750). Given a token source, a 401 leads to at most one refresh per
 * request: concurrent 401s for the same token share one refresh, a 401 for a token that was
 * already replaced retries with the new one, and a 401 that says `insufficient_scope` (or any
 * 403) never refreshes, since a new token of the same grant would not have the scope.
 *
 * @param tokenOrSource a fixed token, a TokenSource (oauth2ClientCredentials(), oauth2RefreshToken(),
 * tokenSource()), or a function returning a token, called again only when the server refuses it.
 */
export function bearer(
  tokenOrSource: string | TokenSource | (() => MaybePromise<string>),
  options: BearerOptions = {},
): AuthStrategy {
  const source = sourceOf(tokenOrSource);
  // A fixed token is the only one the source would ever give (it is not refreshable): it is used
  // as it is, with no wait on the source per request.
  const fixed: Token | undefined = typeof tokenOrSource === 'string' ? { accessToken: tokenOrSource } : undefined;

  // The header of the last token, formatted (and validated) once rather than per request.
  let last: { token: string; header: string } | undefined;
  const header = (token: string) => {
    if (last?.token !== token) last = { token, header: formatAuthorization({ kind: 'bearer', token }) };
    return last.header;
  };
  const { dpop } = options;
  /**
   * Puts the token (and with DPoP, a fresh proof for this request) on the request. Without DPoP
   * nothing is waited for, so nothing is returned to wait on.
   */
  const apply = (request: OutgoingRequest, token: string): Promise<void> | undefined => {
    if (!dpop) return void request.headers.set('authorization', header(token));
    return prove(dpop, request, token);
  };
  const prove = async (key: DpopKey, request: OutgoingRequest, token: string) => {
    request.headers.set('authorization', `DPoP ${header(token).slice('Bearer '.length)}`);
    request.headers.set('dpop', await key.proof(request.method, request.url, token));
  };
  /** RFC 9449 §9: a 401 use_dpop_nonce that brought a new nonce is worth one more send. */
  const wantsNonce = (request: OutgoingRequest, response: Response) =>
    dpop?.rememberNonce(request.url, response) === true &&
    response.status === 401 &&
    parseChallenges(response.headers).some((c) => c.params['error'] === 'use_dpop_nonce');

  // A fixed token without DPoP: its header, and nothing after the answer (no refresh, no nonce).
  if (fixed !== undefined && !dpop) {
    const line = header(fixed.accessToken);
    return oneSendStrategy({ name: 'bearer' }, (request) => void request.headers.set('authorization', line));
  }
  return {
    name: 'bearer',
    async *flow(request, context) {
      const token = fixed ?? sendable(await source.getToken({ signal: context.signal }), dpop);
      const proving = apply(request, token.accessToken);
      if (proving) await proving;
      let response = yield request;
      if (wantsNonce(request, response)) {
        await apply(request, token.accessToken);
        response = yield request;
        dpop?.rememberNonce(request.url, response);
      }
      if (response.status !== 401 || !source.refreshable) return;
      // RFC 6750 §3.1: a token that lacks scope gets insufficient_scope; refreshing cannot add scope.
      // RFC 9470 §3: nor a stronger sign-in (insufficient_user_authentication): a refresh keeps the old one.
      const challenges = parseChallenges(response.headers);
      if (challenges.some((c) => /^insufficient_(scope|user_authentication)$/.test(c.params['error'] ?? ''))) return;
      // RFC 9449 §7.1: a proof refused, or a nonce asked for again, is not cured by a new token.
      if (challenges.some((c) => c.params['error'] === 'use_dpop_nonce' || c.params['error'] === 'invalid_dpop_proof'))
        return;

      const fresh = sendable(await source.getToken({ rejected: token.accessToken, signal: context.signal }), dpop);
      const recovered = fresh.accessToken !== token.accessToken;
      context.reportRefresh({ reason: 'unauthorized', recovered });
      if (!recovered) return;
      await apply(request, fresh.accessToken);
      const last = yield request;
      // RFC 9449 §9: this answer's DPoP-Nonce, a 200's too, is the one to send next.
      dpop?.rememberNonce(request.url, last);
    },
  };
}

/**
 * RFC 9449 §7.1: a DPoP-bound token is never a bearer token; sent as one it is refused, and a
 * refresh brings another bound token. Said before anything is sent, with the fix.
 */
function sendable(token: Token, dpop: DpopKey | undefined): Token {
  if (!dpop && token.tokenType?.toLowerCase() === 'dpop')
    throw invalidArgument(
      "bearer(): the token source gave a DPoP-bound token (token_type DPoP), which is never sent as Bearer (RFC 9449 §7.1): pass the key it is bound to, bearer(source, { dpop: key }), the same key as the token source's dpop option",
    );
  return token;
}

function sourceOf(tokenOrSource: string | TokenSource | (() => MaybePromise<string>)): TokenSource {
  if (typeof tokenOrSource === 'string') {
    formatAuthorization({ kind: 'bearer', token: tokenOrSource }); // validates once, at creation
    return staticToken(tokenOrSource);
  }
  if (typeof tokenOrSource === 'function') return tokenSource(async () => tokenOrSource());
  if (tokenOrSource && typeof tokenOrSource.getToken === 'function') return tokenOrSource;
  throw invalidArgument('bearer(tokenOrSource): pass a token string, a token source, or a function returning a token');
}
