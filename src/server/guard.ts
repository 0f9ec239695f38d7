/**
 * The guard: authenticates a Web Request with the configured schemes and authorizes it with a
 * permission. Its options are checked by `guard-options.ts`, its refusals answered by `refusal.ts`,
 * its OpenAPI description built by `openapi.ts`.
 */
import { invalidArgument } from '../http/argument-error.ts';
import { type AuthorizationParseResult, parseAuthorization } from '../http/index.ts';
import { isPending, type MaybePromise, whenSettled } from '../http/maybe-promise.ts';
import {
  answerable,
  isPrincipal,
  outsideContract,
  PERMISSION,
  type Step,
  sourceOf,
  verifier,
} from './answer-contract.ts';
import { isPreflight, preflightWithoutPolicy } from './cors.ts';
import { configOf, type GuardConfig, type GuardOptions } from './guard-options.ts';
import { LazyGuardRequest } from './guard-request.ts';
import { type OpenApiSecurity, openapiOf } from './openapi.ts';
import type { Permission } from './permissions.ts';
import type { Principal } from './principal.ts';
import { isRefusal, type Refusal } from './refusal.ts';
import { refusalResponse } from './refusal-response.ts';
import { BodyTooLargeError, RequestInvalidError, readCopyLimited } from './request-limits.ts';
import type { RequestView, Scheme } from './scheme.ts';
import { chooseScheme, malformedAuthorization, missing } from './scheme-choice.ts';
import { failureOf, failureRefusal, report } from './server-failure.ts';

export type Decision =
  | {
      outcome: 'authenticated';
      principal: Principal;
      /**
       * Header fields the scheme adds to the answer (the DPoP scheme's newest `DPoP-Nonce`, RFC 9449
       * §9): every adapter sets them on the protected handler's answer; code that calls
       * `authenticate()` itself sets them on its own.
       */
      headers?: ReadonlyArray<readonly [string, string]>;
    }
  | { outcome: 'refused'; refusal: Refusal }
  /**
   * A CORS preflight: never refused for lack of credentials, never served either; the adapter
   * answers it with `guard.preflight(request)`.
   */
  | { outcome: 'preflight' };

export interface AuthenticateOptions {
  /** Overrides the guard's permission for this request. */
  permission?: Permission;
  /**
   * The Authorization field as the adapter holds it: its value, or every line when the client
   * repeated the field (Node's rawHeaders), which Headers would join into one and which is
   * answered 400; an empty list when there is none. Read from the request's headers when absent.
   */
  authorization?: string | readonly string[];
  /** The body, when the adapter already holds it; otherwise it is read from a clone when a scheme needs it. */
  body?: Uint8Array;
  /**
   * The client's address, which login protection keys on (Basic with `loginProtection`). The Node
   * adapters give the socket's (Express: `req.ip`); pass it for a Web Request, or a proxy's client.
   */
  clientAddress?: string;
}

export interface Guard {
  /** Whether a configured scheme verifies the body (signed requests): adapters keep it for them. */
  readonly needsBody: boolean;
  /** The largest body adapters read for it (GuardOptions.maxBodyBytes). */
  readonly maxBodyBytes: number;
  /**
   * Whether a `cors` policy was given: the Fastify plugin then answers preflights for every path,
   * routes mounted for one method included.
   */
  readonly hasCorsPolicy: boolean;
  authenticate(request: RequestView, options?: AuthenticateOptions): Promise<Decision>;
  /**
   * The same decision as authenticate(), returned directly when no step had to wait (a cached
   * token): what the adapters call, to spare most requests several promises. Never throws nor
   * rejects: a server failure is a refusal with a 5xx reason (store_unavailable, keys_unavailable,
   * internal_error), reported through onError.
   */
  decide(request: RequestView, options?: AuthenticateOptions): MaybePromise<Decision>;
  /** The one Response for a refusal: status, WWW-Authenticate, problem body. */
  refusalResponse(refusal: Refusal): Response;
  /** The answer to a CORS preflight: 204, with what the `cors` policy allows this Origin (nothing without one). */
  preflight(request: RequestView): Response;
  /** The CORS headers for any other answer to this request: undefined without a policy or for another Origin. */
  allowance(request: RequestView): ReadonlyArray<readonly [string, string]> | undefined;
  /** OpenAPI 3.1: `components.securitySchemes`, and the `security` requirement of a route. */
  openapi(permission?: Permission): OpenApiSecurity;
}

/**
 * Checks the options once and keeps a copy of them and of the list of schemes: changing the
 * options object or the array passed as `schemes` later does not change the guard.
 *
 * @example
 * const guard = createGuard({ realm: 'api', schemes: [bearerScheme({ jwt: { jwks, algorithms: ['ES256'], issuer, audience } }), basicScheme({ users })] });
 */
export function createGuard(options: GuardOptions): Guard {
  const config = configOf(options);
  const { cors } = config;
  return {
    needsBody: config.schemes.some((s) => s.needsBody),
    maxBodyBytes: config.maxBodyBytes,
    hasCorsPolicy: cors !== undefined,
    authenticate: async (request, opts = {}) => decide(config, request, opts),
    decide: (request, opts = {}) => decide(config, request, opts),
    refusalResponse: (refusal) => refusalResponse(refusal, config),
    preflight: (request) => (cors ? cors.preflight(request) : preflightWithoutPolicy()),
    allowance: (request) => cors?.allowance(request),
    openapi: (permission) => openapiOf(config.schemes, permission ?? config.options.permission),
  };
}

/** What the steps after verify() read of the request: the request, and what a scheme added to the answer. */
type Served = Pick<LazyGuardRequest, 'request' | 'answerHeaders'>;

/**
 * The decision, synchronously when every step is (a cached token, a synchronous permission):
 * a promise only where a step waits. Adapters call it to spare a request the promises.
 * It never throws and never rejects: a request that cannot be read is refused 400 or 413, and a
 * step that fails (a store, a key source) is the server's failure, 5xx, never a 401.
 */
function decide(config: GuardConfig, request: RequestView, opts: AuthenticateOptions): MaybePromise<Decision> {
  const step: Step = { scheme: undefined, permission: false };
  let decision: MaybePromise<Decision>;
  try {
    decision = decideSteps(config, request, opts, step);
  } catch (error) {
    return failed(config, error, request, step);
  }
  return isPending(decision) ? decidedLater(config, decision, request, step) : decision;
}

/** A decision that waited: a step that rejects is answered as one that throws at once is. */
function decidedLater(
  config: GuardConfig,
  decision: PromiseLike<Decision>,
  request: RequestView,
  step: Step,
): Promise<Decision> {
  return whenSettled(
    decision,
    (settled) => settled,
    (error) => failed(config, error, request, step),
  );
}

function failed(config: GuardConfig, error: unknown, request: RequestView, step: Step): Decision {
  if (error instanceof RequestInvalidError || error instanceof BodyTooLargeError)
    return refusedDecision(config, error.refusal, request);
  const failure = failureOf(error, sourceOf(step));
  report(config.options.onError, failure);
  return refusedDecision(config, failureRefusal(failure), request);
}

function decideSteps(
  config: GuardConfig,
  request: RequestView,
  opts: AuthenticateOptions,
  step: Step,
): MaybePromise<Decision> {
  // A CORS preflight carries no credentials by design (Fetch standard, CORS-preflight request).
  if (isPreflight(request)) return { outcome: 'preflight' };

  const field = opts.authorization ?? request.headers.get('authorization');
  // A token the only scheme verified recently, answered as its verify() answers it (the
  // invariant: recent-credentials.ts), without the field read in full.
  const recent = config.recent;
  if (recent !== undefined && typeof field === 'string') {
    // Named before it is asked: a revocation check that throws is that scheme's failure.
    step.scheme = recent.scheme;
    const result = recent.answer(field);
    if (result !== undefined) return verified(config, result, { request, answerHeaders: undefined }, opts, step);
    step.scheme = undefined;
  }
  // An empty value is a field sent empty (400); an empty list, no field at all.
  const authorization: AuthorizationParseResult | undefined =
    field === null || (typeof field !== 'string' && field.length === 0) ? undefined : parseAuthorization(field);
  if (authorization && !authorization.ok)
    return refusedDecision(config, malformedAuthorization(authorization.message), request);

  const guardRequest = new LazyGuardRequest(
    request,
    authorization,
    opts.body,
    opts.clientAddress,
    config.authorizationSchemes,
  );
  const chosen = chooseScheme(config.schemes, guardRequest);
  if (isRefusal(chosen)) return refusedDecision(config, chosen, request);
  if (!chosen) return refusedDecision(config, missing(config, authorization), request);
  const { scheme, credentials } = chosen;
  step.scheme = scheme;
  if (scheme.needsBody && guardRequest.body === undefined)
    return verifiedWithBody(config, chosen, guardRequest, opts, step);
  return verified(config, scheme.verify(credentials, guardRequest), guardRequest, opts, step);
}

/** For a scheme that verifies the body the adapter did not give: read from a clone of the request, then verified. */
function verifiedWithBody(
  config: GuardConfig,
  { scheme, credentials }: { scheme: Scheme<unknown>; credentials: unknown },
  guardRequest: LazyGuardRequest,
  opts: AuthenticateOptions,
  step: Step,
): Promise<Decision> {
  const { request } = guardRequest;
  if (!request.clone)
    throw invalidArgument('guard.authenticate: this scheme verifies the body; pass options.body or a Request');
  // Counted while it streams: a body past the limit is 413 before it is all read.
  return readCopyLimited(request.clone(), request.headers.get('content-length'), config.maxBodyBytes).then((body) => {
    guardRequest.body = body;
    return verified(config, scheme.verify(credentials, guardRequest), guardRequest, opts, step);
  });
}

function verified(
  config: GuardConfig,
  result: MaybePromise<Principal | Refusal>,
  guardRequest: Served,
  opts: AuthenticateOptions,
  step: Step,
): MaybePromise<Decision> {
  return isPending(result)
    ? verifiedLater(config, result, guardRequest, opts, step)
    : authorized(config, result, guardRequest, opts, step);
}

function verifiedLater(
  config: GuardConfig,
  result: PromiseLike<Principal | Refusal>,
  guardRequest: Served,
  opts: AuthenticateOptions,
  step: Step,
): Promise<Decision> {
  return whenSettled(result, (settled) => authorized(config, settled, guardRequest, opts, step));
}

function authorized(
  config: GuardConfig,
  result: Principal | Refusal,
  guardRequest: Served,
  opts: AuthenticateOptions,
  step: Step,
): MaybePromise<Decision> {
  // answer-contract.ts: only a principal passes; what is neither it nor a refusal is a failure.
  if (isRefusal(result)) return refusedDecision(config, answerable(result, verifier(step)), guardRequest.request);
  if (!isPrincipal(result)) throw outsideContract(verifier(step), 'neither a principal nor a refusal');
  const permission = opts.permission ?? config.options.permission;
  if (!permission) return authenticated(result, guardRequest);
  step.permission = true;
  const allowed = permission.check(result, guardRequest.request);
  return isPending(allowed)
    ? permittedLater(config, allowed, result, guardRequest)
    : permitted(config, allowed, result, guardRequest);
}

function permittedLater(
  config: GuardConfig,
  allowed: PromiseLike<true | Refusal>,
  principal: Principal,
  guardRequest: Served,
): Promise<Decision> {
  return whenSettled(allowed, (settled) => permitted(config, settled, principal, guardRequest));
}

/** The decision once the permission answered: served only on `true`, refused on anything else. */
function permitted(config: GuardConfig, allowed: true | Refusal, principal: Principal, guardRequest: Served): Decision {
  if (allowed === true) return authenticated(principal, guardRequest);
  if (!isRefusal(allowed)) throw outsideContract(PERMISSION, 'neither true nor a refusal');
  return refusedDecision(config, answerable(allowed, PERMISSION), guardRequest.request);
}

/** The authenticated Decision, with the header fields the scheme added to the answer, if any. */
function authenticated(principal: Principal, guardRequest: Served): Decision {
  const headers = guardRequest.answerHeaders;
  return headers ? { outcome: 'authenticated', principal, headers } : { outcome: 'authenticated', principal };
}

/** The refused Decision, after onRefusal has seen the refusal. */
function refusedDecision(config: GuardConfig, refusal: Refusal, request: RequestView): Decision {
  // Invariant: a refusal is answered as it is, whatever onRefusal does. The hook only looks on (as
  // onError does, report()): its throw is not the request's failure, and thrown from here (in the
  // guard's own catch, or at once to a node:http listener) it would end the process.
  const onRefusal = config.options.onRefusal;
  if (onRefusal !== undefined)
    try {
      onRefusal(refusal, request);
    } catch {
      // The refusal is answered all the same.
    }
  return { outcome: 'refused', refusal };
}
