/**
 * One call through the client: its state as the stages fill it in, and the error it ends with
 * when it ends with one.
 */
import { authNotes, sentFor } from './auth-stage.ts';
import type { ClientSecrets } from './client-secrets.ts';
import type { CredentialOrigins } from './credential-origins.ts';
import { Budget, BudgetExpired } from './deadline.ts';
import { type HttpError, httpErrorFor } from './errors/http-error.ts';
import { stepUpRequired } from './errors/step-up-required-error.ts';
import { TimeoutError } from './errors/timeout-error.ts';
import { TooManyRedirectsError } from './errors/too-many-redirects-error.ts';
import type { BodyContext } from './guarded-body.ts';
import type { NormalizedOptions } from './options.ts';
import type { OriginConcurrency } from './origin-concurrency.ts';
import type { OriginCooldown } from './origin-cooldown.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { readProblem } from './problem-body.ts';
import type { CallState } from './retry.ts';
import { isRetrySafe } from './retry-policy.ts';

/**
 * One call's state: what the retry stage keeps track of, and what a guarded body needs to explain
 * a cut. One object per call, its URL as messages show it worked out only if one is shown.
 */
export class Call implements CallState, BodyContext {
  readonly method: string;
  readonly total: Budget;
  readonly callerSignal: AbortSignal | undefined;
  readonly attemptTimeout: number | undefined;
  readonly policy: CallState['policy'];
  readonly cooldown: OriginCooldown;
  readonly concurrency: OriginConcurrency;
  readonly onRetry: CallState['onRetry'];
  attempts = 0;
  note: string | undefined = undefined;
  retryAfterMs: number | undefined = undefined;
  readonly #request: OutgoingRequest;
  readonly #secrets: ClientSecrets;
  #shown: string | undefined;

  constructor(
    request: OutgoingRequest,
    callerSignal: AbortSignal | undefined,
    config: NormalizedOptions,
    cooldown: OriginCooldown,
    concurrency: OriginConcurrency,
    secrets: ClientSecrets,
  ) {
    this.#request = request;
    this.#secrets = secrets;
    this.method = request.method;
    this.callerSignal = callerSignal;
    this.total = Budget.of('total', config.timeout.total, callerSignal);
    this.attemptTimeout = config.timeout.attempt;
    this.policy = config.retry;
    this.cooldown = cooldown;
    this.concurrency = concurrency;
    this.onRetry = config.onRetry;
  }

  get url(): string {
    this.#shown ??= this.#secrets.show(this.#request.url);
    return this.#shown;
  }

  get resendSafe(): boolean {
    return isRetrySafe(this.#request.method, this.#request.headers, this.policy);
  }
}

/** The error a call that failed before its response throws: the stages' errors, told with the call. */
export function finalError(error: unknown, state: CallState): unknown {
  if (error instanceof TooManyRedirectsError) {
    return new TooManyRedirectsError(error.max, `${state.method} ${state.url}`);
  }
  if (error instanceof BudgetExpired) {
    return new TimeoutError({
      which: error.which,
      timeoutMs: state.total.ms ?? 0,
      method: state.method,
      url: state.url,
      attempts: state.attempts,
    });
  }
  return error;
}

/**
 * The HttpError for a response that recovery could not make ok: its problem details, what the
 * stages noted, and every secret the call sent, so that none of them reaches the error.
 */
export async function errorForResponse(
  response: Response,
  request: OutgoingRequest,
  state: Call,
  origins: CredentialOrigins,
  secrets: ClientSecrets,
): Promise<HttpError> {
  const note =
    [authNotes.get(response), state.note, origins.withheldNote(request)].filter(Boolean).join(' ') || undefined;
  const details = {
    response,
    method: request.method,
    url: state.url,
    attempts: state.attempts,
    problem: await readProblem(response),
    note,
    retryAfterMs: state.retryAfterMs,
    secrets: secrets.secretsIn([request, sentFor.get(response)]),
  };
  // RFC 9470 §3: a 401 that asks for a stronger or newer sign-in is its own error.
  return stepUpRequired(details) ?? httpErrorFor(details);
}
