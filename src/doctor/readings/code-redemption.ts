/**
 * A token request redeeming an authorization code (RFC 6749 §4.1.3) that the token endpoint refused
 * (§5.2: 400 with `invalid_grant` or `invalid_request`), and the authorization request it belongs
 * to when a HAR file holds it. The form's values are secrets: rules quote names and facts about
 * them, never a code, a verifier or a client secret.
 */
import { getOAuthError, type OAuthErrorCode } from '../../http/oauth-errors.ts';
import type { Context, Exchange, OAuthFlow } from '../types.ts';

export interface CodeRedemption {
  form: URLSearchParams;
  /** The token endpoint's `error`. */
  error: 'invalid_grant' | 'invalid_request';
  /** The authorization request the code came from, when a HAR file holds it. */
  authorization?: OAuthFlow['authorizations'][number];
  /** The endpoint's `error_description` (RFC 6749 §5.2), its first 200 characters. */
  description?: string;
}

/** The refused redemption the context's request is, or undefined. */
export function codeRedemption(context: Context): CodeRedemption | undefined {
  const exchange = context.primary;
  if (exchange.response?.status !== 400 || exchange.request.method !== 'POST') return undefined;
  const form = requestForm(context);
  if (form?.get('grant_type') !== 'authorization_code') return undefined;
  const error = oauthError(exchange);
  if (error !== 'invalid_grant' && error !== 'invalid_request') return undefined;
  const authorization = authorizationOf(context.oauthFlow, form);
  const description = oauthDescription(exchange);
  return { form, error, ...(authorization ? { authorization } : {}), ...(description ? { description } : {}) };
}

/** The request's form-encoded body (RFC 6749 §4.1.3 says nothing else), read only when it is one. */
export function requestForm(context: Context): URLSearchParams | undefined {
  const { body, primary: exchange } = context;
  if (body === undefined || body.length > 65_536) return undefined;
  const type = exchange.request.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
  if (type && !/^application\/x-www-form-urlencoded\b/i.test(type.trim())) return undefined;
  return new URLSearchParams(body);
}

/** The `error` of an RFC 6749 §5.2 JSON answer. */
export function oauthError(exchange: Exchange): string | undefined {
  return oauthMember(exchange, 'error');
}

/** The `error_description` of an RFC 6749 §5.2 JSON answer, its first 200 characters. */
export function oauthDescription(exchange: Exchange): string | undefined {
  return oauthMember(exchange, 'error_description')?.slice(0, 200);
}

function oauthMember(exchange: Exchange, name: 'error' | 'error_description'): string | undefined {
  try {
    const body = JSON.parse(exchange.response?.body ?? '');
    return typeof body?.[name] === 'string' ? body[name] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What servers say when a code's PKCE check or redirect_uri comparison fails. Gatehouse: "code_verifier
 * does not match the code_challenge…", "redirect_uri must be the one of the authorization request,
 * exactly"; Keycloak "PKCE verification failed…", "Incorrect redirect_uri"; Okta "PKCE verification
 * failed."; Hydra "The PKCE code challenge did not match the code verifier."; Entra ID
 * "AADSTS501481: The Code_Verifier does not match…". oidc-provider answers only "grant request is
 * invalid" (its cause stays in its logs), which names no cause and matches neither.
 */
const NAMES = {
  code_verifier: /code[_ -]?verifier|\bpkce\b|code[_ -]?challenge/i,
  redirect_uri: /redirect(ion)?[_ -]?ur[il]/i,
} as const;
const MISMATCH =
  /not match|n['’]t match|mismatch|\bfail|\binvalid\b|\bincorrect\b|\bwrong\b|\bdiffer|\bmust be\b|\bexactly\b/i;
const MISSING = /\bmissing\b|\brequired\b|\bnot (provided|specified|supplied|sent|present)\b/i;

/**
 * Whether the endpoint's `invalid_grant` description says `parameter` does not match (not that it
 * is missing). Words, not proof: a rule that has the HAR's authorization request trusts that.
 */
export function serverSays(redemption: CodeRedemption, parameter: keyof typeof NAMES): boolean {
  const said = redemption.description;
  if (redemption.error !== 'invalid_grant' || !said || !NAMES[parameter].test(said)) return false;
  return MISMATCH.test(said) && !MISSING.test(said);
}

/** `< error_description = "…"`: the server's words as evidence (scrubbed with the whole report). */
export function saidLine(redemption: CodeRedemption): string[] {
  return redemption.description ? [`< error_description = ${JSON.stringify(redemption.description)}`] : [];
}

/** The authorization request whose answer carried this code, else the latest one of the same client. */
function authorizationOf(flow: OAuthFlow | undefined, form: URLSearchParams) {
  if (!flow) return undefined;
  const code = form.get('code');
  const byCode = flow.authorizations.findLast((a) => a.code !== undefined && a.code === code);
  if (byCode) return byCode;
  const client = form.get('client_id');
  return flow.authorizations.findLast((a) => client === null || a.url.searchParams.get('client_id') === client);
}

/** `< error = "invalid_grant" (RFC 6749 §5.2)`: the endpoint's answer as an evidence line. */
export function errorLine(redemption: CodeRedemption): string {
  return `< error = ${JSON.stringify(redemption.error)} (${getOAuthError(redemption.error)!.defined})`;
}

/** The catalogue's hint for the endpoint's error: where a fix starts. */
export function oauthHint(code: OAuthErrorCode): string {
  return getOAuthError(code)!.hint;
}

/** `> POST /token  grant_type=authorization_code; sent: code, redirect_uri`: names only, never values. */
export function sentLine(context: Context, redemption: CodeRedemption): string {
  const url = new URL(context.primary.request.url);
  return `> POST ${url.pathname}  grant_type=authorization_code; sent: ${[...new Set(redemption.form.keys())].filter((k) => k !== 'grant_type').join(', ')}`;
}

/** `(authorization request: log.entries[0])`: where the authorization request was read. */
export function authorizationLine(redemption: CodeRedemption): string[] {
  const at = redemption.authorization;
  return at ? [`  authorization request: log.entries[${at.index}] GET ${at.url.origin}${at.url.pathname}`] : [];
}
