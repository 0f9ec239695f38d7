/**
 * Token sources: one `getToken()` that hides where tokens come from, shared by every request of
 * a client (and, through a store with a lock, by every process). Single-flight: however many
 * requests need a new token at once, one fetch is made and all of them get its result.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { raceAbort } from '../abortable-wait.ts';
import { AuthenticationError } from '../errors/authentication-error.ts';
import { isExpiring, isTokenObject, type Token, type TokenResponse, tokenFromResponse } from './token.ts';
import { memoryTokenStore, type TokenStore } from './token-store.ts';

export interface GetTokenOptions {
  /**
   * The access token a server just refused. If it is still the current one, a new token is
   * fetched; if a newer one has arrived meanwhile, that one is returned without fetching.
   */
  rejected?: string;
  /** Stops this caller's wait (the fetch goes on for the others). */
  signal?: AbortSignal | undefined;
}

export interface TokenSource {
  getToken(options?: GetTokenOptions): Promise<Token>;
  /** Whether asking again can produce a different token (false for a fixed token). */
  readonly refreshable: boolean;
}

/** A token source that can say which token it holds and let it go: what introspection and revocation need. */
export interface HeldTokenSource extends TokenSource {
  /** The token held now (the store's, when none was fetched yet), without fetching one. */
  held(): Promise<Token | undefined>;
  /** Lets the held token go, here and in the store: the next getToken() fetches a new one. */
  forget(): Promise<void>;
}

export interface FetchTokenContext {
  /** Aborts when the fetch takes longer than `refreshTimeoutMs`. */
  signal: AbortSignal;
  /** The token being replaced, if any (its refresh token, for a refresh grant). */
  current: Token | undefined;
}

export type FetchToken = (context: FetchTokenContext) => Promise<Token | TokenResponse | string>;

export interface TokenSourceOptions {
  /** Where tokens are kept. @default memoryTokenStore() */
  store?: TokenStore;
  /** The token's name in the store. @default 'default' */
  key?: string;
  /** Refresh this long before expiry, in ms, or a tenth of the token's lifetime when that is shorter. @default 30_000 */
  skewMs?: number;
  /** The longest a token fetch may take, in ms. @default 30_000 */
  refreshTimeoutMs?: number;
}

/**
 * A token source from any function that gets a token: it may return a Token, an OAuth 2.0
 * token response, or a bare access token string.
 *
 * @example const source = tokenSource(async () => (await myLogin()).accessToken);
 */
export function tokenSource(fetchToken: FetchToken, options: TokenSourceOptions = {}): HeldTokenSource {
  if (typeof fetchToken !== 'function')
    throw invalidArgument('tokenSource(fetchToken): fetchToken must be a function returning a token');
  const store = options.store ?? memoryTokenStore();
  const key = options.key ?? 'default';
  const skewMs = options.skewMs ?? 30_000;
  const refreshTimeoutMs = options.refreshTimeoutMs ?? 30_000;
  if (typeof skewMs !== 'number' || skewMs < 0) throw invalidArgument('tokenSource: skewMs must be a number of ms ≥ 0');

  let current: Token | undefined;
  let loaded: Promise<void> | undefined;
  let inflight: Promise<Token> | undefined;
  // Another tab's refresh (or sign-out) reaches this one at once, not at its next refusal.
  store.watch?.(key, (token) => {
    current = isTokenObject(token) ? token : undefined;
  });

  const usable = (token: Token | undefined, rejected: string | undefined): token is Token =>
    token !== undefined && token.accessToken !== rejected && !isExpiring(token, skewMs);

  async function fetchFresh(rejected: string | undefined): Promise<Token> {
    const had = current; // a watched store may replace `current` while this waits for the lock
    const run = async (): Promise<Token> => {
      // Another process (or tab) sharing the store may have refreshed already.
      const stored = await store.get(key);
      if (isTokenObject(stored) && usable(stored, rejected) && stored.accessToken !== had?.accessToken) return stored;
      const previous = isTokenObject(stored) ? stored : current;
      const token = normalize(await fetchOnce(fetchToken, refreshTimeoutMs, previous));
      // A token that says when it expires but not when it was issued was issued now, as far as the skew goes.
      if (token.expiresAt !== undefined && token.issuedAt === undefined) token.issuedAt = Date.now();
      // RFC 6749 §6: the server may keep the refresh token as it is; then the old one stays valid.
      if (token.refreshToken === undefined && previous?.refreshToken !== undefined)
        token.refreshToken = previous.refreshToken;
      await store.set(key, token);
      return token;
    };
    return store.lock ? store.lock(key, run) : run();
  }

  const load = () =>
    (loaded ??= store.get(key).then(
      (token) => {
        if (isTokenObject(token) && current === undefined) current = token;
      },
      (error: unknown) => {
        loaded = undefined; // a store that failed once is asked again next time
        throw error;
      },
    ));

  return {
    refreshable: true,
    async held() {
      await load();
      return current && { ...current };
    },
    async forget() {
      current = undefined;
      await store.delete(key);
    },
    async getToken({ rejected, signal } = {}) {
      await raceAbort(load(), signal);
      if (usable(current, rejected)) return current;
      inflight ??= fetchFresh(rejected)
        .then((token) => {
          current = token;
          return token;
        })
        .finally(() => {
          inflight = undefined;
        });
      return raceAbort(inflight, signal);
    },
  };
}

/** Calls the token function once, its failure an AuthenticationError. */
async function fetchOnce(fetchToken: FetchToken, timeoutMs: number, current: Token | undefined) {
  try {
    return await fetchToken({ signal: AbortSignal.timeout(timeoutMs), current });
  } catch (error) {
    if (error instanceof AuthenticationError) throw error;
    const name = error instanceof Error ? error.name : typeof error;
    throw new AuthenticationError(
      `Getting a token failed (${name}); every request waiting for it fails too. See error.cause.`,
      { cause: error },
    );
  }
}

/** A fixed token: never refreshed. */
export function staticToken(accessToken: string): TokenSource {
  const token: Token = { accessToken };
  return { refreshable: false, getToken: async () => token };
}

function normalize(result: Token | TokenResponse | string): Token {
  if (typeof result === 'string' && result.length > 0) return { accessToken: result };
  if (isTokenObject(result)) return { ...result };
  if (
    result &&
    typeof result === 'object' &&
    typeof (result as TokenResponse).access_token === 'string' &&
    (result as TokenResponse).access_token
  ) {
    return tokenFromResponse(result as TokenResponse, undefined);
  }
  throw new AuthenticationError(
    'The token function returned no access token: return a string, a Token ({ accessToken }) or a token response ({ access_token }).',
  );
}
