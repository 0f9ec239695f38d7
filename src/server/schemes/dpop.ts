/**
 * The DPoP scheme (RFC 9449 §7): `Authorization: DPoP <token>` with a `DPoP: <proof>` header. The
 * token is a JWT bound to a key (`cnf.jkt`), verified as a bearer JWT is (jwt-verifier.ts); the
 * proof (dpop-proof.ts) must be signed by that key, for this method and URL and this token (`ath`).
 * A stolen token is worthless without the key; a stolen proof, used once already.
 */
import type { JWTPayload } from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import type { OtherCredentials } from '../../http/index.ts';
import { isRefusal, type Refusal } from '../refusal.ts';
import { fromAuthorization, type Scheme } from '../scheme.ts';
import { type DpopOptions, dpopVerifier, type ProofFailure } from './dpop-proof.ts';
import type { JwtOptions } from './jwt-options.ts';
import { jwtVerifier, revocationRefusal } from './jwt-verifier.ts';
import { type OwnError, tokenErrorParams } from './token-challenge.ts';

export interface DpopSchemeOptions {
  /** How the access tokens are verified, as for bearerScheme({ jwt }); they must carry `cnf.jkt`. */
  jwt: JwtOptions;
  /** How proofs are checked: algorithms, iat window, replay cache, public base URL, nonces. */
  proof?: DpopOptions;
}

const REASONS: Record<ProofFailure['error'], Refusal['reason']> = {
  invalid_dpop_proof: 'dpop_proof_invalid',
  use_dpop_nonce: 'dpop_nonce_required',
  binding_mismatch: 'dpop_binding_mismatch',
  replay_cache_full: 'store_unavailable',
};

/** The challenge errors of this scheme's proof refusals (RFC 9449 §7.1, §9); the others are invalid_token. */
const PROOF_ERRORS: Partial<Record<Refusal['reason'], string>> = {
  dpop_proof_invalid: 'invalid_dpop_proof',
  dpop_nonce_required: 'use_dpop_nonce',
};

const ownError = (refusal: Refusal): OwnError => ({
  error: PROOF_ERRORS[refusal.reason] ?? 'invalid_token',
  description: refusal.detail,
});

export function dpopScheme(options: DpopSchemeOptions): Scheme<OtherCredentials> {
  if (!options || typeof options !== 'object' || !options.jwt)
    throw invalidArgument('dpopScheme(options): pass { jwt: { … }, proof?: { … } }');
  const verifyToken = jwtVerifier(options.jwt, 'dpop');
  const proofs = dpopVerifier(options.proof);
  const algs = proofs.algorithms.join(' ');
  return {
    name: 'dpop',
    // Above bearer: a request with both is judged by its proof-of-possession credentials.
    precedence: 45,
    authorizationSchemes: ['dpop'],
    detect(request) {
      const found = fromAuthorization(request, 'dpop', 'other');
      if (!found.present || 'malformed' in found) return found;
      const { token68 } = found.credentials;
      // RFC 9449 §7.1: the token68 syntax, as RFC 6750's b64token.
      if (token68 === undefined || Object.keys(found.credentials.params).length > 0)
        return { present: true, malformed: 'the DPoP credentials must be "DPoP <access token>"' };
      return found;
    },
    async verify({ token68 }, request) {
      const token = token68!;
      const principal = await verifyToken(token, request);
      if (isRefusal(principal)) return principal;
      const jkt = (principal.claims?.['cnf'] as { jkt: string }).jkt;
      const header = request.request.headers.get('dpop');
      // A JWS has no comma: one in the value means several DPoP fields were sent (RFC 9110 §5.3).
      const values = header === null ? [] : header.split(',');
      const result = await proofs.verify(values, {
        method: request.request.method,
        url: request.url,
        accessToken: token,
        boundJkt: jkt,
      });
      if (!('error' in result)) {
        // Only now: asked before the proof, the deny-list told whoever holds a stolen token, without
        // its key, whether the theft was noticed (token_revoked against dpop_proof_invalid).
        const { isRevoked } = options.jwt;
        if (isRevoked) {
          const revoked = await revocationRefusal(isRevoked, principal.claims as JWTPayload, 'dpop');
          if (revoked) return revoked;
        }
        // RFC 9449 §9 (as §8.2): the newest nonce in the answer; such an answer is not to be
        // cached, lest it hand an older nonce to a later request.
        if (result.nonce !== undefined) {
          request.answerWith('dpop-nonce', result.nonce);
          request.answerWith('cache-control', 'no-store');
        }
        return principal;
      }
      const refusal: Refusal = { reason: REASONS[result.error], scheme: 'dpop', detail: result.detail };
      if (result.nonce !== undefined) refusal.dpopNonce = result.nonce;
      if (result.retryAfterMs !== undefined) refusal.retryAfterMs = result.retryAfterMs;
      return refusal;
    },
    challenge(realm, refusal, context) {
      // RFC 9449 §7.1: the DPoP challenge names the proof algorithms accepted.
      const params: Record<string, string> = { realm, algs };
      if (context?.resourceMetadata !== undefined) params['resource_metadata'] = context.resourceMetadata;
      Object.assign(params, tokenErrorParams('dpop', refusal, ownError));
      return { scheme: 'DPoP', params };
    },
    openapi: () => ({ type: 'http', scheme: 'dpop', bearerFormat: 'JWT' }),
    securityRequirement: (requires) => requires.scopes,
  };
}
