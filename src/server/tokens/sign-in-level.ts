/**
 * How strong and how recent a sign-in is (RFC 9470 §3–4, OpenID Connect Core §3.1.2.1): the
 * authorization request's `acr_values` and `max_age`, the second factor that reaches a stronger
 * level, and the `acr` / `auth_time` a code carries into its tokens.
 */
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { Identity } from '../../stores/lookups.ts';
import { DEFAULT_CLOCK_TOLERANCE } from '../schemes/jwt-options.ts';

/** The `acr` of a sign-in with the built-in form's password alone. */
export const PASSWORD_ACR = 'pwd';

/** A second factor the built-in form asks for when the request's acr_values name its level. */
export interface SecondFactor {
  /** The `acr` a sign-in with this factor reaches. @default 'mfa' */
  acr?: string;
  /** Whether `code` (what the user typed) is this user's second factor now. */
  verify: (user: Identity, code: string) => MaybePromise<boolean>;
}

/** What a request asks of the sign-in: read from acr_values and max_age (RFC 9470 §4). */
export interface AskedLevel {
  acrValues?: string[];
  maxAge?: number;
}

/** How and when this user signed in: what the code and its tokens claim. */
export interface SignInLevel {
  acr?: string;
  /** Seconds since the epoch. */
  authTime?: number;
}

/** The acr a second factor reaches. */
export const factorAcr = (factor: SecondFactor) => factor.acr ?? 'mfa';

/** The levels (acr values) a sign-in at the authorize endpoint can reach, weakest first. */
export const signInLevels = (factor: SecondFactor | undefined): string[] =>
  factor ? [PASSWORD_ACR, factorAcr(factor)] : [PASSWORD_ACR];

/** Whether the request asks for the level the second factor reaches, so the form asks for it. */
export function asksSecondFactor(asked: AskedLevel, factor: SecondFactor | undefined): factor is SecondFactor {
  return factor !== undefined && (asked.acrValues ?? []).includes(factorAcr(factor));
}

/** The level of a user signed in by the app's session, from its `acr` and `auth_time` claims. */
export function sessionLevel(user: Identity): SignInLevel {
  const { acr, auth_time: authTime } = user.claims ?? {};
  return {
    ...(typeof acr === 'string' ? { acr } : {}),
    ...(typeof authTime === 'number' && Number.isFinite(authTime) ? { authTime } : {}),
  };
}

/**
 * Whether an earlier sign-in still does for this request. OpenID Connect Core §3.1.2.1: with
 * max_age, a sign-in older than that (or of unknown age: none, or one later than now, beyond the
 * clock tolerance) must be done again; a request that asks for the second factor's level needs a
 * sign-in that reached it.
 */
export function levelSuffices(
  level: SignInLevel,
  asked: AskedLevel,
  factor: SecondFactor | undefined,
  nowSeconds: number,
): boolean {
  if (asked.maxAge !== undefined) {
    const age = level.authTime === undefined ? Number.POSITIVE_INFINITY : nowSeconds - level.authTime;
    if (age > asked.maxAge || age < -DEFAULT_CLOCK_TOLERANCE) return false;
  }
  return !asksSecondFactor(asked, factor) || level.acr === factorAcr(factor);
}
