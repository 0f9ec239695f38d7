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
 */
import type { MaybePromise } from '../http/maybe-promise.ts';
import type { Principal } from './principal.ts';
import type { Refusal } from './refusal.ts';
import type { Scheme } from './scheme.ts';

export type RecentAnswer = (authorization: string) => MaybePromise<Principal | Refusal> | undefined;

// Kept beside the scheme rather than on it: not part of the Scheme interface a custom scheme implements.
const ANSWERS = new WeakMap<Scheme<unknown>, RecentAnswer>();

/** Gives `scheme` its answer for recent credentials; returns the scheme. */
export function withRecentAnswer<C>(scheme: Scheme<C>, answer: RecentAnswer): Scheme<C> {
  ANSWERS.set(scheme as Scheme<unknown>, answer);
  return scheme;
}

export function recentAnswerOf(scheme: Scheme<unknown>): RecentAnswer | undefined {
  return ANSWERS.get(scheme);
}
