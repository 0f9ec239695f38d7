/**
 * The one place where the guard's decision becomes what an adapter does. Every adapter goes
 * through actOn(): protected code runs only with a principal, everything else is answered, and an
 * outcome added to Decision stops the build here instead of falling through to the handler.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { isPreflight, withAllowance } from '../../server/cors.ts';
import type { Decision, Guard } from '../../server/guard.ts';
import type { Principal } from '../../server/principal.ts';
import type { RequestView } from '../../server/scheme.ts';

export type CorsAllowance = ReadonlyArray<readonly [string, string]>;

/** How one adapter serves and answers; `context` is its request (and reply), passed through. */
export interface DecisionActions<C, R> {
  /**
   * Runs the protected handler, with the principal; `answerHeaders` are header fields to add to
   * its answer: the CORS allowance, and the scheme's (a DPoP-Nonce, RFC 9449 §9).
   */
  serve(context: C, principal: Principal, answerHeaders: CorsAllowance | undefined): R;
  /** Sends this Response, and nothing else runs: a refusal, or the answer to a preflight. */
  answer(context: C, response: Response): R;
}

export function actOn<C, R>(
  guard: Guard,
  request: RequestView,
  decision: Decision,
  context: C,
  actions: DecisionActions<C, R>,
): R {
  switch (decision.outcome) {
    case 'authenticated':
      return actions.serve(context, decision.principal, withSchemeHeaders(guard.allowance(request), decision.headers));
    case 'refused':
      return actions.answer(context, allowed(guard.refusalResponse(decision.refusal), guard.allowance(request)));
    case 'preflight':
      // A preflight asks whether the real request may be sent, and carries no credentials: it is
      // answered here, whatever its headers claim, and protected code never sees it.
      return actions.answer(context, guard.preflight(request));
    default:
      return unhandled(decision);
  }
}

/**
 * The guard's answer to a CORS preflight for any path, or undefined when the request is not one:
 * what each adapter's preflight mount sends, for routes the framework would otherwise answer
 * OPTIONS for itself (a route mounted for GET only). The same answer actOn gives a preflight.
 */
export function preflightAnswer(guard: Guard, request: RequestView): Response | undefined {
  return isPreflight(request) ? guard.preflight(request) : undefined;
}

/** The CORS allowance and the scheme's header fields, as one list (undefined when both are). */
function withSchemeHeaders(
  allowance: CorsAllowance | undefined,
  headers: CorsAllowance | undefined,
): CorsAllowance | undefined {
  if (!headers) return allowance;
  return allowance ? [...allowance, ...headers] : headers;
}

/** The Response with these header fields added (CORS, a scheme's); a copy when its headers cannot change. */
export const allowed = withAllowance;

function unhandled(decision: never): never {
  // Only reachable past the type checker: fail closed rather than serve.
  throw invalidArgument(
    `gatehouse adapter: the guard's decision ${JSON.stringify((decision as { outcome?: unknown }).outcome)} has no action`,
  );
}
