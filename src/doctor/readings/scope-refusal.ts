/**
 * Reading a scope refusal in every common shape: RFC 6750's `error="insufficient_scope"`, or a
 * challenge that only names the scopes (`Bearer scope="items me"`, FastAPI's `SecurityScopes`
 * tutorial), on a 401 or a 403; and what the token was granted, from whichever claim its issuer
 * uses.
 */
import type { Context, DecodedJwt } from '../types.ts';
import { credentialNames, probe, SAYS_REFUSED, sameAnswer, serverError, serverWords, statusOf } from './evidence.ts';
import { serverNow } from './token-times.ts';

/**
 * The claims issuers put granted scopes in: `scope` (RFC 8693 §4.2, RFC 9068 §2.2.3: one
 * space-separated string), `scp` (Azure AD, Okta: a string or an array), `scopes` (FastAPI's
 * tutorial: an array), `permissions` (Auth0 RBAC), `roles` (RFC 9068 §7.2.1.1, Azure AD app roles).
 */
const SCOPE_CLAIMS = ['scope', 'scp', 'scopes', 'permissions', 'roles'] as const;

/** A server's words for a scope or permission refusal (FastAPI "Not enough permissions"). */
const SAYS_SCOPE = /scope|permission|privilege|not allowed|forbidden|access denied/i;

/** A space-separated scope list (RFC 6749 §3.3) or an array of names, as a list. */
function names(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.length > 0);
  return [];
}

/** Each scope-bearing claim the token has, with its values (an empty list for `scopes: []`). */
export function scopeClaims(jwt: DecodedJwt | undefined): Array<[claim: string, values: string[]]> {
  if (!jwt) return [];
  return SCOPE_CLAIMS.filter((claim) => jwt.payload[claim] !== undefined).map((claim) => [
    claim,
    names(jwt.payload[claim]),
  ]);
}

export interface ScopeRefusal {
  /** What the route needs: the challenge's `scope` (or a problem body's `scope` member). */
  needed: string[];
  /** What the token was granted, from every scope claim; undefined when the token cannot be read. */
  granted: string[] | undefined;
  claims: Array<[claim: string, values: string[]]>;
  /** The needed scopes the token does not have; all of them when the token cannot be read. */
  missing: string[];
  /** True when the server said `insufficient_scope` itself. */
  explicit: boolean;
}

/**
 * The scope refusal the primary answer is, or undefined. Without `error=`, a challenge naming
 * scopes is also what some servers put on a token they could not read at all (FastAPI's tutorial
 * answers "Could not validate credentials" with the same `scope=`), so it counts only when the
 * token was read and refused for scope: a JWT in date that lacks one of the scopes and no words of
 * a rejected credential, or an opaque token with the server's own words about scope or permission.
 */
export function scopeRefusal(context: Context): ScopeRefusal | undefined {
  const status = statusOf(context);
  if (status !== 401 && status !== 403) return undefined;
  const error = serverError(context);
  const named =
    context.challenges.find((c) => c.params['scope'])?.params['scope'] ??
    (typeof context.problem?.['scope'] === 'string' ? context.problem['scope'] : undefined);
  const needed = names(named);
  const claims = scopeClaims(context.jwt);
  const granted = context.jwt ? claims.flatMap(([, values]) => values) : undefined;
  const missing = granted ? needed.filter((s) => !granted.includes(s)) : needed;
  const refusal = { needed, granted, claims, missing };
  // RFC 6750 §3.1: the server's own word; trusted even when the claims seem to have the scope.
  if (error === 'insufficient_scope') return { ...refusal, explicit: true };
  if (error !== undefined || needed.length === 0) return undefined;
  if (credentialNames(context.primary).length === 0) return undefined;
  // The same answer without credentials: they never reached the code that reads scopes.
  if (sameAnswer(context.primary, probe(context, 'without-credentials')[0])) return undefined;
  const words = serverWords(context.primary) ?? '';
  if (SAYS_REFUSED.test(words)) return undefined;
  if (context.jwt) {
    const exp = context.jwt.payload['exp'];
    if (typeof exp === 'number' && exp * 1000 <= serverNow(context).now) return undefined;
    return missing.length > 0 ? { ...refusal, explicit: false } : undefined;
  }
  // A bearer value shaped like a JWT that does not decode was refused as a token, not for scope.
  if (context.authorization.some((v) => /^\s*bearer\s+[^\s.]+\.[^\s.]+\.[^\s.]*\s*$/i.test(v))) return undefined;
  return SAYS_SCOPE.test(words) ? { ...refusal, explicit: false } : undefined;
}

/** `"items"`, `"items", "me"`: scope names as a reader sees them. */
export const quoted = (scopes: readonly string[]) => scopes.map((s) => JSON.stringify(s)).join(', ');
