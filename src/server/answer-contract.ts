/**
 * What the guard takes from a scheme's verify() and a permission's check(), the app's own
 * included. Invariant: protected code runs only with a principal, and a request is refused only
 * with a refusal the catalogue can answer. Anything else (undefined, `false`, a refusal of no
 * known reason) is thrown here and so handled as a step that throws: the server's failure (500
 * problem+json, reported through onError), never a pass to the handler, and never a throw out of
 * an adapter's actOn() that would end the process (node:http) or leave a rejection unhandled.
 */
import { isReasonCode, reasonCodes } from '../http/index.ts';
import type { Principal } from './principal.ts';
import type { Refusal } from './refusal.ts';
import type { Scheme } from './scheme.ts';
import { contractError } from './server-failure.ts';

export function isPrincipal(value: unknown): value is Principal {
  return typeof value === 'object' && value !== null && typeof (value as Principal).id === 'string';
}

/** The refusal, when the catalogue can answer it. `by` names the step, e.g. `scheme "basic"'s verify()`. */
export function answerable(refusal: Refusal, by: string): Refusal {
  if (!isReasonCode(refusal.reason))
    throw outsideContract(by, `a refusal whose reason ${reasonText(refusal.reason)}is not in the catalogue`);
  return refusal;
}

/**
 * The reason as the failure line may quote it: a typo of a catalogue code (at most two edits from
 * one, case aside), else nothing of it. Any code-like word was quoted, and an API key, an opaque
 * token or a password is one: an app that put a request value in `reason` logged it.
 */
function reasonText(reason: unknown): string {
  if (typeof reason !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(reason)) return '';
  const word = reason.toLowerCase();
  return reasonCodes.some((code) => withinTwoEdits(word, code)) ? `${JSON.stringify(reason)} ` : '';
}

/** Whether `a` becomes `b` in at most two insertions, deletions or substitutions (Levenshtein). */
function withinTwoEdits(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]! <= 2;
}

export function outsideContract(by: string, what: string): TypeError {
  return contractError(`guard: ${by} answered ${what}`);
}

/**
 * The step under way, named in the report of a failure: the scheme once one was chosen, then the
 * permission. Its name is put into words only for a report, not on every request.
 */
export interface Step {
  scheme: Scheme<unknown> | undefined;
  permission: boolean;
}

export function sourceOf(step: Step): string {
  if (step.permission) return 'permission';
  return step.scheme ? `scheme "${step.scheme.name}"` : 'guard';
}

export const verifier = (step: Step) => `${sourceOf(step)}'s verify()`;
export const PERMISSION = "the permission's check()";
