/**
 * What the guard takes from a scheme's verify() and a permission's check(), the app's own
 * included. Invariant: protected code runs only with a principal, and a request is refused only
 * with a refusal the catalogue can answer. Anything else (undefined, `false`, a refusal of no
 * known reason) is thrown here and so handled as a step that throws: the server's failure (500
 * problem+json, reported through onError), never a pass to the handler, and never a throw out of
 * an adapter's actOn() that would end the process (node:http) or leave a rejection unhandled.
 */
import { isReasonCode } from '../http/index.ts';
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

/** The reason as the failure line may quote it: a code-like word (a typo of one), else nothing of it. */
function reasonText(reason: unknown): string {
  return typeof reason === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(reason) ? `${JSON.stringify(reason)} ` : '';
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
