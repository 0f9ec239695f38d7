/**
 * Writes the IETF RateLimit and RateLimit-Policy fields in their structured-field form
 * (draft-ietf-httpapi-ratelimit-headers-08 and later, RFC 8941 Lists):
 * `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=42;t=17`.
 * rate-limit.ts reads them back.
 *
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */
import { invalidArgument } from './argument-error.ts';

/** One policy's declaration and its current state, all in whole units and seconds. */
export interface RateLimitState {
  /** The policy's name, sent as an sf-string. */
  policy: string;
  /** Quota units per window (`q`). */
  quota: number;
  /** The window, in seconds (`w`). */
  windowSeconds: number;
  /** Units left (`r`). */
  remaining: number;
  /** Seconds until the quota resets (`t`). */
  resetSeconds: number;
}

const POLICY_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The two fields for one policy; the counts are clamped to non-negative integers (draft §3, §4: Integers ≥ 0). */
export function rateLimitFields(state: RateLimitState): { 'RateLimit-Policy': string; RateLimit: string } {
  // A name of plain characters needs no sf-string escaping and cannot smuggle a parameter in.
  if (!POLICY_NAME.test(state.policy))
    throw invalidArgument('rateLimitFields: policy must be 1 to 64 letters, digits, _ . : or -');
  const whole = (n: number) => (Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0);
  // Units left round down: a client told of a unit that is not there would spend it on a 429.
  const left = Number.isFinite(state.remaining) && state.remaining > 0 ? Math.floor(state.remaining) : 0;
  const name = `"${state.policy}"`;
  return {
    'RateLimit-Policy': `${name};q=${whole(state.quota)};w=${Math.max(1, whole(state.windowSeconds))}`,
    RateLimit: `${name};r=${left};t=${whole(state.resetSeconds)}`,
  };
}
