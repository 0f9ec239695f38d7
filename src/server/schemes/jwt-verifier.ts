/**
 * Verifying a bearer JWT: jose checks the signature and the claims pinned by the options, then the
 * subject and iat are checked here; a verified token is remembered until its exp, and revocation is
 * asked on every request, cached or not.
 */
import { type JWTPayload, jwtVerify } from 'jose';
import { isToken68 } from '../../http/field-syntax.ts';
import { isPending, type MaybePromise } from '../../http/maybe-promise.ts';
import { VerifiedCache } from '../credentials/verified-cache.ts';
import { frozenClaims, type Principal, principalOf } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import { contractError, KeySourceError } from '../server-failure.ts';
import { verificationKeyOf } from './jwt-key-source.ts';
import { checkJwtOptions, DEFAULT_CLOCK_TOLERANCE, type JwtOptions, verifyOptionsOf } from './jwt-options.ts';
import { bindingDetail, detailOf, isoOf, reasonOf } from './jwt-refusal.ts';

/** Which Authorization schemes the guard answering takes: the GuardRequest itself, passed as it is. */
export interface AcceptsSchemes {
  accepts(scheme: string): boolean;
}

/** A verified token: its payload, and the principal every request it comes with gets a copy of. */
interface VerifiedToken {
  payload: JWTPayload;
  principal: Principal;
}

/** Verifies a token; `cached` answers only for a token verified recently (undefined otherwise). */
export interface JwtVerifier {
  (token: string, asked?: AcceptsSchemes): MaybePromise<Principal | Refusal>;
  /**
   * The answer for a token still in the cache of verified tokens, exactly as the verifier gives it
   * (revocation asked, a principal of its own); undefined for any other token, and always without
   * a cache. Such a token was verified whole by this verifier, so it needs nothing checked again.
   */
  cached(token: string): MaybePromise<Principal | Refusal> | undefined;
}

/**
 * `scheme` is the scheme the token comes with: `bearer` refuses a DPoP-bound token (RFC 9449 §7.1),
 * `dpop` accepts only one (its proof is checked by the DPoP scheme, dpop.ts). `asked` says which
 * Authorization schemes the guard answering takes, for the refusal of a token of the other kind.
 */
export function jwtVerifier(jwt: JwtOptions, scheme: 'bearer' | 'dpop' = 'bearer'): JwtVerifier {
  checkJwtOptions(jwt);
  const key = verificationKeyOf(jwt);
  const verifyOptions = verifyOptionsOf(jwt);
  // Keyed on the bearer token itself, in clear, in memory, never past its exp: why that is
  // acceptable is in verified-cache.ts. What is kept is the verified payload and its principal.
  const cache =
    jwt.cache === false ? undefined : new VerifiedCache<VerifiedToken>(jwt.cache ?? {}, { exactKeys: true });
  const tolerance = (jwt.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE) * 1000;
  // The DPoP scheme asks revocation itself, once the proof holds (dpop.ts): not here.
  const asksRevocation = scheme === 'bearer';
  const revocation = (entry: VerifiedToken): MaybePromise<Principal | Refusal> => {
    const refused = revocationRefusal(jwt.isRevoked!, entry.payload, scheme);
    // maybe-promise.ts: a pending answer is a real Promise, so cached() never takes it for a miss.
    return isPending(refused)
      ? refused.then((refusal) => refusal ?? principalOf(entry.principal, scheme))
      : (refused ?? principalOf(entry.principal, scheme));
  };
  const verifyAndCache = async (token: string, now: number, asked: AcceptsSchemes): Promise<Principal | Refusal> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, verifyOptions));
    } catch (error) {
      // The keys could not be had: the server's failure, for the guard to answer 503.
      if (error instanceof KeySourceError) throw error;
      return { reason: reasonOf(error), scheme, detail: detailOf(error) };
    }
    const entry = verifiedToken(payload, now, tolerance, scheme, (other) => asked.accepts(other));
    if ('reason' in entry) return entry;
    // Only a token an Authorization field can carry whole (token68) is kept: the guard answers a
    // cached token straight from the field (recent-credentials.ts), and jose also verifies one an
    // app handed to verify() itself with whitespace inside, which the parser refuses (400).
    if (typeof payload.exp === 'number' && isToken68(token))
      cache?.set([token], entry, now, payload.exp * 1000 + tolerance);
    return asksRevocation && jwt.isRevoked ? revocation(entry) : principalOf(entry.principal, scheme);
  };
  // Not async: a cached token is answered at once, with no promise (most requests of a client).
  // Made once: a request's own GuardRequest is passed as it is, so a cached token costs no closure.
  const onlyItself: AcceptsSchemes = { accepts: (other) => other === scheme };
  // A cached token is still held to its exp (the cache entry never outlives it) and to revocation.
  // Each request gets its own principal: a handler that changes its lists changes no other request's.
  const answer = (entry: VerifiedToken) =>
    asksRevocation && jwt.isRevoked ? revocation(entry) : principalOf(entry.principal, scheme);
  const cached = (token: string) => {
    const entry = cache?.getExact(token);
    return entry === undefined ? undefined : answer(entry);
  };
  // answer() is never undefined, so undefined from cached() is a miss, and only a miss is verified.
  const verify = (token: string, asked: AcceptsSchemes = onlyItself) =>
    cached(token) ?? verifyAndCache(token, Date.now(), asked);
  return Object.assign(verify, { cached });
}

/**
 * isRevoked's answer for a verified token's payload: its refusal when revoked, undefined when not.
 * The contract is a boolean or a promise of one; any other answer, at once or promised (an async
 * isRevoked that forgot its return resolves to undefined), is a TypeError, the scheme's failure
 * (5xx), never "not revoked". A thenable becomes a real Promise (maybe-promise.ts).
 */
export function revocationRefusal(
  isRevoked: NonNullable<JwtOptions['isRevoked']>,
  payload: JWTPayload,
  scheme: 'bearer' | 'dpop',
): MaybePromise<Refusal | undefined> {
  const refusal = (yes: boolean): Refusal | undefined =>
    yes ? { reason: 'token_revoked', scheme, detail: 'The access token was revoked.' } : undefined;
  const revoked = isRevoked(payload);
  if (typeof revoked === 'boolean') return refusal(revoked);
  if (!isPending(revoked)) throw contractError('jwt.isRevoked answered neither a boolean nor a promise');
  return Promise.resolve(revoked).then((yes: unknown) => {
    if (typeof yes !== 'boolean')
      throw contractError(`jwt.isRevoked's promise resolved to ${describe(yes)}, not a boolean`);
    return refusal(yes);
  });
}

/** The claims jose does not check, then the principal the payload names. */
function verifiedToken(
  payload: JWTPayload,
  now: number,
  tolerance: number,
  scheme: 'bearer' | 'dpop',
  accepts: (scheme: string) => boolean,
): VerifiedToken | Refusal {
  if (typeof payload.sub !== 'string')
    return { reason: 'credentials_invalid', scheme, detail: 'The access token has no subject (sub).' };
  // RFC 9449 §7.1: a token bound to a key (cnf.jkt) is refused as Bearer; the DPoP scheme needs one.
  const cnf = payload['cnf'] as { jkt?: unknown } | undefined;
  const bound = typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string';
  if (bound !== (scheme === 'dpop'))
    return { reason: 'dpop_binding_mismatch', scheme, detail: bindingDetail(bound, accepts) };
  // RFC 7519 §4.1.6: iat is when it was issued; one in the future (beyond the tolerance) is not
  // a clock difference but a token made to outlive its issuer's idea of time.
  if (typeof payload.iat === 'number' && payload.iat * 1000 > now + tolerance)
    return {
      reason: 'token_not_yet_valid',
      scheme,
      detail: `The access token claims to be issued at ${isoOf(payload.iat)}, in the future by the server's clock.`,
    };
  const scope = payload['scope'] ?? payload['scp'];
  const scopes =
    typeof scope === 'string' ? scope.split(' ').filter(Boolean) : Array.isArray(scope) ? scope.map(String) : [];
  const roles = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]).map(String) : [];
  return {
    payload,
    // Frozen: the payload is remembered for the token and read by isRevoked on every request.
    principal: principalOf(
      { id: payload.sub, scopes, roles, claims: frozenClaims(payload) as Record<string, unknown> },
      scheme,
    ),
  };
}

/** A value as an error message may name it: its type, never its content (it may be a claim). */
function describe(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : typeof value;
}
