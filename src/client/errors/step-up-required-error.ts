/**
 * 401 insufficient_user_authentication (RFC 9470 §3): the token is good, but the user's sign-in is
 * too weak or too old for this resource. A refresh cannot help (it keeps the original sign-in);
 * the user signs in again with the acr_values and max_age named here, e.g. through loopbackLogin.
 */
import { parseChallenges } from '../../http/index.ts';
import { problemCode } from '../problem-body.ts';
import { type HttpErrorDetails, UnauthorizedError } from './http-error.ts';

const STEP_UP = 'insufficient_user_authentication';

/** What the resource asks of the sign-in, as its challenge (or problem body) says. */
export interface StepUpNeeded {
  /** The acr values any one of which will do, most preferred first; [] when it names none. */
  acrValues: string[];
  /** The most seconds since sign-in the resource accepts; undefined when it names none. */
  maxAge: number | undefined;
}

export class StepUpRequiredError extends UnauthorizedError {
  static override readonly code = 'ERR_GATEHOUSE_STEP_UP_REQUIRED';
  /** RFC 9470 §3 `acr_values`: pass them as `acrValues` to the authorization-code helpers. */
  readonly acrValues: string[];
  /** RFC 9470 §3 `max_age`, in seconds: pass it as `maxAge` to the authorization-code helpers. */
  readonly maxAge: number | undefined;

  constructor(details: HttpErrorDetails, needed: StepUpNeeded) {
    super(details, StepUpRequiredError.code);
    this.acrValues = needed.acrValues;
    this.maxAge = needed.maxAge;
  }
}

// The values travel into an authorization request: only what RFC 9470 §3 lets them be.
const ACR_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/;
const MAX_AGE = /^\d{1,9}$/;

/** A StepUpRequiredError for a 401 whose challenge or problem says insufficient_user_authentication. */
export function stepUpRequired(details: HttpErrorDetails): StepUpRequiredError | undefined {
  if (details.response.status !== 401) return undefined;
  const challenge = parseChallenges(details.response.headers).find((c) => c.params['error'] === STEP_UP);
  const problem = details.problem;
  if (!challenge && problemCode(problem) !== STEP_UP) return undefined;
  const acr = challenge ? challenge.params['acr_values'] : problem?.['acr_values'];
  const age = challenge ? challenge.params['max_age'] : problem?.['max_age'];
  const acrValues = typeof acr === 'string' ? acr.split(' ').filter((v) => ACR_VALUE.test(v)) : [];
  const maxAge = typeof age === 'string' || typeof age === 'number' ? String(age) : undefined;
  return new StepUpRequiredError(details, {
    acrValues,
    maxAge: maxAge !== undefined && MAX_AGE.test(maxAge) ? Number(maxAge) : undefined,
  });
}
