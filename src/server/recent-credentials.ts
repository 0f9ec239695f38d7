/**
 * A scheme's answer for credentials it verified recently, read from the Authorization field as it
 * came: what lets the guard answer a recently seen bearer token without reading the field again.
 *
 * Invariant the guard relies on (guard.ts, decideSteps): an answer is given only for a field the
 * guard's own reading would hand to this same scheme with the same credentials, and it is the very
 * answer the scheme's verify() gives them. The bearer scheme holds to it by answering only for
 * `Bearer` (any case), one space, then a token in its cache of verified tokens, compared whole: every
 * token there came through parseAuthorization as a token68 and was verified whole, so the field
 * parses to exactly that token; for anything else it answers undefined and the guard reads the
 * field in full. The guard asks only when the scheme is its only one: no other scheme can then
 * find credentials of its own in the request, malformed or of a higher precedence.
 * And only while the scheme still holds its own verify() and detect() (recentAnswerOf): the full
 * reading calls whatever an app put in their place.
 */
import type { MaybePromise } from '../http/maybe-promise.ts';
import type { Principal } from './principal.ts';
import type { Refusal } from './refusal.ts';
import type { Scheme } from './scheme.ts';

export type RecentAnswer = (authorization: string) => MaybePromise<Principal | Refusal> | undefined;

/** The answer, and the verify() and detect() the scheme had when it was given it (its own). */
interface Own {
  answer: RecentAnswer;
  verify: Scheme<unknown>['verify'];
  detect: Scheme<unknown>['detect'];
}

// Kept beside the scheme rather than on it: not part of the Scheme interface a custom scheme implements.
const ANSWERS = new WeakMap<Scheme<unknown>, Own>();

/** Gives `scheme` its answer for recent credentials; returns the scheme. */
export function withRecentAnswer<C>(scheme: Scheme<C>, answer: RecentAnswer): Scheme<C> {
  const own = scheme as Scheme<unknown>;
  ANSWERS.set(own, { answer, verify: own.verify, detect: own.detect });
  return scheme;
}

/**
 * The answer, asked only while the scheme still has its own verify() and detect() and reads no
 * body: a scheme is a plain object, and an app may wrap either in place, before the guard is made
 * or after. The full reading calls what the scheme holds at the time of the request, so where that
 * is no longer the scheme's own the answer is undefined and the guard reads the field in full.
 */
export function recentAnswerOf(scheme: Scheme<unknown>): RecentAnswer | undefined {
  const own = ANSWERS.get(scheme);
  if (own === undefined) return undefined;
  return (authorization) =>
    scheme.verify === own.verify && scheme.detect === own.detect && scheme.needsBody !== true
      ? own.answer(authorization)
      : undefined;
}
