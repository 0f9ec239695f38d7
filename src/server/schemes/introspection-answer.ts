/**
 * What an issuer's introspection answer (RFC 7662 §2.2) means for the request: the identity it
 * names and how long that may be remembered, or the refusal. An answer the issuer gave about
 * another audience, issuer or kind of token is refused here, whatever `active` says.
 */
import type { Identity } from '../../stores/lookups.ts';
import { frozenClaims } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import { isoOf } from './jwt-refusal.ts';

/** What the scheme checks an answer against, settled at creation. */
export interface AnswerRules {
  /** The audiences one of which `aud` must name (an answer without aud is refused); undefined accepts any. */
  readonly audiences: readonly string[] | undefined;
  /** The issuers one of which `iss` must be when present; undefined accepts any. */
  readonly issuers: readonly string[] | undefined;
  /** ms of clock difference forgiven for exp and nbf. */
  readonly tolerance: number;
}

/** An active token's identity, with the time (ms) past which the answer is not to be used. */
export interface Accepted {
  identity: Identity;
  /** The token's exp (ms), or undefined when the answer has none. */
  expiresAt: number | undefined;
}

const refused = (reason: Refusal['reason'], detail: string): Refusal => ({ reason, scheme: 'bearer', detail });

/** Judges an answer of the issuer (its `active` a boolean: checked when it was read). */
export function judgeAnswer(answer: Record<string, unknown>, rules: AnswerRules, now: number): Accepted | Refusal {
  if (answer['active'] !== true)
    return refused(
      'credentials_invalid',
      'The access token is not active: its issuer reports it unknown, expired or revoked. Get a new one.',
    );
  // RFC 9449 §6.2, §7.1: a token bound to a key (cnf) is no bearer token; this scheme has no proof
  // of the key, so a stolen bound token is refused here as it is by bearerScheme({ jwt }).
  const cnf = answer['cnf'];
  if (cnf !== undefined || (typeof answer['token_type'] === 'string' && answer['token_type'].toLowerCase() === 'dpop'))
    return refused(
      'dpop_binding_mismatch',
      'The access token is bound to a key (cnf): send it as "Authorization: DPoP" with a DPoP proof (RFC 9449 §7.1), to an API that checks proofs.',
    );
  // RFC 7662 §2.2: token_type is an access token type (RFC 6749 §7.1); a refresh token is no bearer.
  const type = answer['token_type'];
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer'))
    return refused('credentials_invalid', 'The token is not an access token; send the access token.');
  const aud = answer['aud'];
  if (rules.audiences) {
    // An API that names its audience takes only tokens that name it: an answer with no aud is about
    // a token for no API in particular (a refresh token, an ID token, another API's opaque token).
    if (aud === undefined)
      return refused(
        'token_audience_mismatch',
        'The issuer names no audience (aud) for the token, so it is not an access token for this API; ask for one with resource set to this API (RFC 8707).',
      );
    const named = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
    if (!named.some((a) => rules.audiences!.includes(a)))
      return refused('token_audience_mismatch', 'The access token was issued for another audience.');
  }
  const iss = answer['iss'];
  if (rules.issuers && iss !== undefined && (typeof iss !== 'string' || !rules.issuers.includes(iss)))
    return refused('token_issuer_mismatch', 'The access token comes from an issuer this API does not trust.');
  const exp = answer['exp'];
  if (exp !== undefined && typeof exp !== 'number')
    return refused('credentials_invalid', 'The issuer gave the access token an exp that is not a time.');
  if (typeof exp === 'number' && exp * 1000 + rules.tolerance <= now)
    return refused('token_expired', `The access token expired at ${isoOf(exp)} by the server's clock.`);
  const nbf = answer['nbf'];
  if (typeof nbf === 'number' && nbf * 1000 > now + rules.tolerance)
    return refused('token_not_yet_valid', `The access token is not valid before ${isoOf(nbf)} by the server's clock.`);
  const sub = answer['sub'];
  if (typeof sub !== 'string' || !sub)
    return refused('credentials_invalid', 'The issuer names no subject (sub) for the access token.');
  const scope = answer['scope'];
  const roles = answer['roles'];
  const { active: _active, ...claims } = answer;
  return {
    identity: {
      id: sub,
      scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
      // Frozen: one answer serves every request of its flight and, cached, the later ones.
      claims: frozenClaims(claims),
    },
    expiresAt: typeof exp === 'number' ? exp * 1000 : undefined,
  };
}
