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

/**
 * A strategy whose whole flow is to change the request, send it once and accept whatever comes
 * back (Basic, an API key, a fixed Bearer token): `apply` makes that change, and `flow` is the
 * generator made from it. The auth stage runs `apply` instead of the generator while the
 * strategy's `flow` is still that generator.
 */
interface OneSend {
  flow: AuthStrategy['flow'];
  apply(request: OutgoingRequest): void;
}

const oneSends = new WeakMap<AuthStrategy, OneSend>();

/**
 * A strategy that applies its credentials with `apply` and sends once. Its flow is made from
 * `apply`, so the two cannot say different things.
 */
export function oneSendStrategy(
  fields: Omit<AuthStrategy, 'flow'>,
  apply: (request: OutgoingRequest) => void,
): AuthStrategy {
  const strategy: AuthStrategy = {
    ...fields,
    async *flow(request) {
      apply(request);
      yield request;
    },
  };
  oneSends.set(strategy, { flow: strategy.flow, apply });
  return strategy;
}

/** `apply` of a strategy made by oneSendStrategy whose flow was not replaced since; else undefined. */
export function oneSendOf(strategy: AuthStrategy): ((request: OutgoingRequest) => void) | undefined {
  const once = oneSends.get(strategy);
  return once !== undefined && strategy.flow === once.flow ? once.apply : undefined;
}
