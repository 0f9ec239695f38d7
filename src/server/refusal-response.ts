/**
 * A refusal's answer: status, WWW-Authenticate and body all come from the reason catalogue, and
 * each scheme writes its own challenge (the guard only says which are sent).
 */
import { invalidArgument } from '../http/argument-error.ts';
import {
  type Challenge,
  createProblem,
  formatChallenges,
  PROBLEM_CONTENT_TYPE,
  rateLimitFields,
  reasons,
} from '../http/index.ts';
import type { Refusal } from './refusal.ts';
import type { Scheme } from './scheme.ts';

/** What a refusal's answer depends on besides the refusal: the guard's schemes, realm and body shape. */
export interface RefusalAnswer {
  readonly schemes: readonly Scheme<unknown>[];
  readonly realm: string;
  /** RFC 9457 problem details, or `{ "detail": … }` as FastAPI and DRF send. */
  readonly body: 'problem' | 'detail';
  /** The protected resource metadata URL the schemes' challenges name (RFC 9728 §5.1). */
  readonly resourceMetadata?: string;
}

/** The one Response for a refusal: status, WWW-Authenticate, Retry-After, and the body. */
export function refusalResponse(refusal: Refusal, answer: RefusalAnswer): Response {
  const reason = reasons[refusal.reason];
  if (!reason)
    throw invalidArgument(`refusalResponse: ${JSON.stringify(refusal.reason)} is not in the reason catalogue`);
  const headers = new Headers({ 'cache-control': 'no-store' });
  const challenges = challengesFor(refusal, answer);
  if (challenges.length > 0) headers.set('www-authenticate', formatChallenges(challenges));
  if (refusal.retryAfterMs !== undefined)
    headers.set('retry-after', String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))));
  // RFC 9449 §9: the nonce a DPoP proof must carry next.
  if (refusal.dpopNonce !== undefined) headers.set('dpop-nonce', refusal.dpopNonce);
  if (refusal.rateLimit)
    for (const [name, value] of Object.entries(rateLimitFields(refusal.rateLimit))) headers.set(name, value);
  const detail = refusal.detail ?? reason.title;
  let body: string;
  if (answer.body === 'detail') {
    headers.set('content-type', 'application/json');
    body = JSON.stringify({ detail });
  } else {
    headers.set('content-type', PROBLEM_CONTENT_TYPE);
    body = JSON.stringify(
      createProblem(refusal.reason, {
        detail,
        ...extensionsOf(refusal),
      }),
    );
  }
  return new Response(body, { status: reason.status, headers });
}

/** The members a problem body adds for a client to act on: the scope or sign-in level needed. */
function extensionsOf(refusal: Refusal): { extensions?: Record<string, unknown> } {
  const extensions: Record<string, unknown> = {};
  if (refusal.scope?.length) extensions['scope'] = refusal.scope.join(' ');
  if (refusal.acrValues?.length) extensions['acr_values'] = refusal.acrValues.join(' ');
  if (refusal.maxAge !== undefined) extensions['max_age'] = refusal.maxAge;
  return Object.keys(extensions).length > 0 ? { extensions } : {};
}

/** The challenges a refusal carries, each written by its scheme. */
function challengesFor(refusal: Refusal, { schemes, realm, resourceMetadata }: RefusalAnswer): Challenge[] {
  const status = reasons[refusal.reason].status;
  const context = resourceMetadata === undefined ? undefined : { resourceMetadata };
  const all = schemes.map((s) => s.challenge(realm, refusal, context)).filter((c): c is Challenge => c !== undefined);
  // RFC 9110 §15.5.2: a 401 carries a challenge for every scheme the endpoint accepts.
  if (status === 401) return all;
  // RFC 6750 §3.1: invalid_request (400) and insufficient_scope (403) are told in the challenge of a
  // scheme that reports errors there; a scheme whose challenge names no error has nothing to add.
  if (refusal.reason === 'credentials_malformed' || refusal.reason === 'insufficient_scope')
    return all.filter((c) => c.params['error'] !== undefined);
  return [];
}
