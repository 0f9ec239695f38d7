/**
 * The authorization server's CORS (its `cors` option): which pages may call the endpoints a page
 * fetches — token, revocation, JWKS and metadata — under the guard's policy type and rules
 * (`server/cors.ts`). Never the authorize endpoint: the browser navigates to it, and no page of
 * another origin is to read the sign-in form it answers with.
 */
import { type CorsPolicy, corsRules, isPreflight, withAllowance } from '../cors.ts';

export interface EndpointCors {
  /** The 204 answer to a CORS preflight of one of the endpoints; undefined for any other request. */
  preflight(request: Request, path: string): Response | undefined;
  /** The answer of one of the endpoints with the allowance for the request's Origin; any other as it is. */
  allow(request: Request, path: string, answer: Response): Response;
}

/** The policy checked once (a refusal names createAuthorizationServer), for the endpoints at `paths`. */
export function endpointCors(policy: CorsPolicy, paths: readonly string[]): EndpointCors {
  const rules = corsRules(policy, 'createAuthorizationServer');
  const fetched = new Set(paths);
  return {
    preflight: (request, path) => (fetched.has(path) && isPreflight(request) ? rules.preflight(request) : undefined),
    allow: (request, path, answer) => (fetched.has(path) ? withAllowance(answer, rules.allowance(request)) : answer),
  };
}
