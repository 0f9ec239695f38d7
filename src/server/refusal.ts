/** A refusal: why a request is refused, as a reason of the catalogue (refusal-response.ts answers it). */
import type { RateLimitState, ReasonCode } from '../http/index.ts';

/** Why a request is refused: a reason from the catalogue, and what the answer should say. */
export interface Refusal {
  reason: ReasonCode;
  /** The scheme whose verification failed, so its challenge carries the error (RFC 6750 §3). */
  scheme?: string;
  /** For a person: what happened this time. Never contains a credential. */
  detail?: string;
  /** For insufficient_scope: the scopes the route needs (RFC 6750 §3 `scope`). */
  scope?: readonly string[];
  /** For insufficient_user_authentication: the acr values any one of which will do (RFC 9470 §3). */
  acrValues?: readonly string[];
  /** For insufficient_user_authentication: the most seconds since sign-in allowed (RFC 9470 §3). */
  maxAge?: number;
  /** For rate_limited and locked_out: how long to wait. */
  retryAfterMs?: number;
  /** For a DPoP refusal when the server issues nonces: the nonce to send next (RFC 9449 §9 `DPoP-Nonce`). */
  dpopNonce?: string;
  /** For rate_limited and locked_out: the limit, sent as the RateLimit and RateLimit-Policy fields. */
  rateLimit?: RateLimitState;
}

export function isRefusal(value: unknown): value is Refusal {
  return (
    typeof value === 'object' && value !== null && typeof (value as Refusal).reason === 'string' && !('id' in value)
  );
}
