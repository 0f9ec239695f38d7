/**
 * Authentication strategies, after the model of Python httpx's auth flow: a strategy is a
 * generator that yields the request to send, receives its response, and may yield a next
 * request (a Digest answer, a retry with a refreshed token) or stop, accepting the response.
 */
import type { OutgoingRequest } from './outgoing-request.ts';

export interface AuthContext {
  /** Aborts when the call is cancelled or out of time (undefined when nothing can). */
  signal: AbortSignal | undefined;
  /** Reports a token refresh to the client's onRefresh listener. */
  reportRefresh(event: RefreshEvent): void;
}

export interface RefreshEvent {
  /** What triggered it: the server refused the token, or the token was about to expire. */
  reason: 'unauthorized';
  /** Whether a different token came back, so the request is sent again. */
  recovered: boolean;
}

export interface AuthStrategy {
  /** Names the strategy in errors and events. */
  readonly name: string;
  /**
   * Yields each request to send (credentials applied) and receives its response. Return to
   * accept the last response. The request passed in is a copy the strategy may change.
   */
  flow(request: OutgoingRequest, context: AuthContext): AsyncGenerator<OutgoingRequest, void, Response>;
  /** Query parameters that carry this strategy's secret, masked in every URL a message shows. */
  readonly secretQueryParams?: readonly string[];
  /**
   * Header names that carry this strategy's secret beyond the shared CREDENTIAL_HEADERS list (an
   * API key under a name of the API's own): their values are scrubbed from every error.
   */
  readonly secretHeaders?: readonly string[];
}

/** At most this many sends per authentication flow: a strategy cannot loop on 401s. */
export const MAX_AUTH_SENDS = 4;
