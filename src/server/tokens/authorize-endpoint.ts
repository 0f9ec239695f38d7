/**
 * The authorize endpoint (RFC 6749 §4.1.1–4.1.2, OAuth 2.1, RFC 7636, RFC 9207): checks the request
 * (`authorize-request.ts`), has the user sign in and consent (`authorize-page.ts`, or the app's own
 * session through `currentUser`), then issues a code (`authorization-code.ts`) and sends the browser
 * back with it. Every answer sent back carries `iss` (RFC 9207 §2) and the request's `state`.
 */
import type { MaybePromise } from '../../http/maybe-promise.ts';
import { AuthorizationCodeStoreFullError } from '../../stores/code-store-full.ts';
import type { Identity } from '../../stores/lookups.ts';
import type { AuthorizationCodeStore, ClientStore } from '../../stores/types.ts';
import { errorDescription } from '../error-description.ts';
import { isRefusal } from '../refusal.ts';
import type { DpopVerifier } from '../schemes/dpop-proof.ts';
import type { SignIn } from '../sign-in.ts';
import { issueCode } from './authorization-code.ts';
import { authorizeErrorPage, authorizePage } from './authorize-page.ts';
import {
  AuthorizationFailure,
  type AuthorizationRequest,
  authorizationParams,
  authorizationRequest,
} from './authorize-request.ts';
import { grantableScopes } from './role-scopes.ts';
import {
  asksSecondFactor,
  factorAcr,
  levelSuffices,
  PASSWORD_ACR,
  type SecondFactor,
  type SignInLevel,
  sessionLevel,
} from './sign-in-level.ts';
import type { TokenService } from './token-service.ts';

export interface AuthorizeOptions {
  /**
   * The user already signed in to this site (by the app's own session cookie), or undefined. Such a
   * user is only asked to consent; the consent is accepted from a form posted by this origin only.
   */
  currentUser?: (request: Request) => MaybePromise<Identity | undefined>;
  /** Show the built-in sign-in form (username and password) to a user not signed in. @default true */
  loginForm?: boolean;
  /**
   * A second factor the sign-in form asks for when the request's acr_values name its level
   * (RFC 9470 §4); a sign-in with it claims that `acr`, one with the password alone `pwd`.
   */
  secondFactor?: SecondFactor;
  /** How long a code may be redeemed (RFC 6749 §4.1.2: short, 10 minutes at most). @default 60 */
  codeTtlSeconds?: number;
}

/** What the endpoint reads, settled when the authorization server is created. */
export interface AuthorizeEndpoint {
  readonly service: TokenService;
  readonly clients: ClientStore;
  readonly codes: AuthorizationCodeStore;
  readonly signIn: SignIn;
  readonly options: AuthorizeOptions;
  readonly maxBodyBytes: number;
  /** DPoP's proofs at the token endpoint; with them on, a request's `dpop_jkt` binds its code (RFC 9449 §10). */
  readonly dpop: DpopVerifier | undefined;
}

/** The answer to one authorization request: a page, or a 303 back to the client. */
export async function authorizeAnswer(endpoint: AuthorizeEndpoint, request: Request, ip?: string): Promise<Response> {
  let authorization: AuthorizationRequest;
  let params: URLSearchParams;
  try {
    params = await authorizationParams(request, endpoint.maxBodyBytes);
    authorization = await authorizationRequest(params, endpoint.clients, endpoint.service, endpoint.dpop !== undefined);
  } catch (error) {
    if (error instanceof AuthorizationFailure) return failed(endpoint, error);
    throw error;
  }
  const back = (error: string, description: string) =>
    redirectBack(endpoint, authorization, { error, error_description: description });
  const decision = request.method === 'POST' ? params.get('decision') : null;
  // A refusal needs no proof of who refuses: the client learns only that it got nothing.
  if (decision === 'deny') return back('access_denied', 'The user denied the request.');
  const { currentUser, loginForm = true, secondFactor } = endpoint.options;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const session = currentUser ? await currentUser(request) : undefined;
  // RFC 9470 §4: a session sign-in too old (max_age) or too weak (acr_values) means signing in again.
  const current =
    session && levelSuffices(sessionLevel(session), authorization, secondFactor, nowSeconds) ? session : undefined;
  if (!current && !loginForm)
    return back('access_denied', 'No user is signed in at the level asked for, and this server shows no sign-in form.');
  const stepUp = !current && asksSecondFactor(authorization, secondFactor);
  const shown = current ? { userName: current.id } : { secondFactor: stepUp };
  if (decision !== 'allow') return authorizePage(authorization, shown);

  let user: Identity;
  let level: SignInLevel;
  if (current) {
    // The consent of a user signed in by cookie counts only from a form of this origin (no CSRF).
    if (!sameOrigin(request, endpoint.service.issuer))
      return authorizePage(authorization, { ...shown, message: 'Confirm again on this page.' }, 403);
    user = current;
    level = sessionLevel(current);
  } else {
    const signedIn = await formSignIn(endpoint, authorization, params, ip, { stepUp, shown, nowSeconds });
    if (signedIn instanceof Response) return signedIn;
    ({ user, level } = signedIn);
  }
  // A user grants their scopes and role:R for their roles (role-scopes.ts), as far as the client may ask.
  const allowed = grantableScopes(user).filter((s) => authorization.client.scopes.includes(s));
  const asked = authorization.scope ?? allowed;
  if (asked.some((s) => !allowed.includes(s)))
    return back('invalid_scope', 'A scope asked for is not one this user can grant to this client.');
  const ttlMs = (endpoint.options.codeTtlSeconds ?? 60) * 1000;
  const code = await issueCode(
    endpoint.codes,
    user,
    {
      clientId: authorization.client.clientId,
      redirectUri: authorization.redirectUri,
      codeChallenge: authorization.codeChallenge,
      scope: asked.join(' '),
      resources: authorization.resources,
      ...level,
      ...(authorization.dpopJkt !== undefined ? { dpopJkt: authorization.dpopJkt } : {}),
    },
    // Kept as long as the access token of its first redemption lives: a replay until then revokes it.
    { ttlMs, keepMs: endpoint.service.accessTokenTtlSeconds * 1000 },
  ).catch((error: unknown) => {
    // A full code store refuses rather than forgets a code (code-store-full.ts): a wait, RFC 6749 §4.1.2.1.
    if (error instanceof AuthorizationCodeStoreFullError) return undefined;
    throw error;
  });
  if (code === undefined) return back('temporarily_unavailable', 'Too many sign-ins at once; try again in a minute.');
  return redirectBack(endpoint, authorization, { code });
}

/**
 * The sign-in form's answer checked: the user and the level they signed in at, or the form again.
 * A step-up sign-in is one attempt for both factors, counted by login protection as one.
 */
async function formSignIn(
  endpoint: AuthorizeEndpoint,
  authorization: AuthorizationRequest,
  params: URLSearchParams,
  ip: string | undefined,
  { stepUp, shown, nowSeconds }: { stepUp: boolean; shown: { secondFactor?: boolean }; nowSeconds: number },
): Promise<Response | { user: Identity; level: SignInLevel }> {
  const { secondFactor } = endpoint.options;
  const username = params.get('username') ?? '';
  const password = params.get('password') ?? '';
  const factor =
    stepUp && secondFactor
      ? async (candidate: Identity) => secondFactor.verify(candidate, params.get('otp') ?? '')
      : undefined;
  const verified = factor
    ? await endpoint.signIn.verifyWithSecondFactor(username, password, ip, factor)
    : await endpoint.signIn.verify(username, password, ip);
  if (isRefusal(verified)) {
    const wait = verified.reason === 'locked_out' || verified.reason === 'rate_limited';
    const message = verified.detail ?? (wait ? 'Try again later.' : 'The username or password is wrong.');
    const retry = wait ? { 'retry-after': String(Math.max(1, Math.ceil((verified.retryAfterMs ?? 1000) / 1000))) } : {};
    return authorizePage(authorization, { ...shown, message }, wait ? 429 : 200, retry);
  }
  const acr = factor && secondFactor ? factorAcr(secondFactor) : PASSWORD_ACR;
  return { user: verified, level: { acr, authTime: nowSeconds } };
}

function failed(endpoint: AuthorizeEndpoint, error: AuthorizationFailure): Response {
  if (!error.redirect) return authorizeErrorPage(error.code, error.message, error.status);
  const target = { redirectUri: error.redirect.uri, state: error.redirect.state };
  return redirectBack(endpoint, target, { error: error.code, error_description: error.message });
}

/** 303 to the redirect URI with `answer`, the request's state and iss (RFC 6749 §4.1.2, RFC 9207 §2). */
function redirectBack(
  endpoint: AuthorizeEndpoint,
  target: { redirectUri: string; state: string | undefined },
  answer: Record<string, string>,
): Response {
  const url = new URL(target.redirectUri);
  // RFC 6749 §4.1.2.1: error_description in its own characters, whoever wrote the text.
  for (const [name, value] of Object.entries(answer))
    url.searchParams.append(name, name === 'error_description' ? errorDescription(value) : value);
  if (target.state !== undefined) url.searchParams.append('state', target.state);
  url.searchParams.append('iss', endpoint.service.issuer);
  // 303: the browser follows with GET, whatever the form posted (RFC 9700 §4.12).
  return new Response(null, {
    status: 303,
    headers: { location: url.href, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  });
}

/** Whether a POST came from a page of this server: its Origin is the request's or the issuer's. */
function sameOrigin(request: Request, issuer: string): boolean {
  const origin = request.headers.get('origin');
  if (origin === null) return request.headers.get('sec-fetch-site') === 'same-origin';
  return origin === new URL(request.url).origin || origin === URL.parse(issuer)?.origin;
}
