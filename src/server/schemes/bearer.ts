/**
 * Bearer tokens (RFC 6750): JWTs verified with jose against a key, a secret or a JWKS, with
 * pinned algorithms, issuer, audience and clock tolerance (jwt-verifier.ts, its options in
 * jwt-options.ts); or opaque tokens checked by a lookup. The scheme writes its own challenge.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { plainBearerToken } from '../../http/authorization.ts';
import type { BearerCredentials } from '../../http/index.ts';
import type { Identity } from '../../stores/lookups.ts';
import { type Principal, principalOf } from '../principal.ts';
import { withRecentAnswer } from '../recent-credentials.ts';
import type { Refusal } from '../refusal.ts';
import { fromAuthorization, type Scheme } from '../scheme.ts';
import type { JwtOptions } from './jwt-options.ts';
import { jwtVerifier } from './jwt-verifier.ts';
import { type OwnError, tokenErrorParams } from './token-challenge.ts';

export interface OpaqueOptions {
  /** Finds the identity a token stands for; undefined for an unknown token. */
  verify: (token: string) => Promise<Identity | Refusal | undefined>;
}

export type BearerSchemeOptions = { jwt: JwtOptions } | { opaque: OpaqueOptions };

const DESCRIPTIONS: Partial<Record<Refusal['reason'], string>> = {
  token_expired: 'The access token expired',
  token_not_yet_valid: 'The access token is not valid yet',
  token_revoked: 'The access token was revoked',
  token_audience_mismatch: 'The access token is for another audience',
  token_issuer_mismatch: 'The access token is from an untrusted issuer',
  credentials_invalid: 'The access token is invalid',
  dpop_binding_mismatch: 'The access token is bound to a DPoP key',
};

/** RFC 6750 §3.1: every refusal of the token itself is invalid_token. */
const ownError = (refusal: Refusal): OwnError => ({
  error: 'invalid_token',
  description: DESCRIPTIONS[refusal.reason] ?? 'The access token is invalid',
});

export function bearerScheme(options: BearerSchemeOptions): Scheme<BearerCredentials> {
  if (!options || typeof options !== 'object' || !('jwt' in options || 'opaque' in options))
    throw invalidArgument('bearerScheme(options): pass { jwt: { … } } or { opaque: { verify } }');
  const jwt = 'jwt' in options ? jwtVerifier(options.jwt) : undefined;
  const verifyToken = jwt ?? opaqueVerifier((options as { opaque: OpaqueOptions }).opaque);
  const scheme: Scheme<BearerCredentials> = {
    name: 'bearer',
    precedence: 40,
    authorizationSchemes: ['bearer'],
    detect: (request) => fromAuthorization(request, 'bearer', 'bearer'),
    verify: ({ token }, request) => verifyToken(token, request),
    challenge(realm, refusal, context) {
      const params: Record<string, string> = { realm };
      // RFC 9728 §5.1: where the client learns which authorization server issues tokens for this API.
      if (context?.resourceMetadata !== undefined) params['resource_metadata'] = context.resourceMetadata;
      Object.assign(params, tokenErrorParams('bearer', refusal, ownError));
      return { scheme: 'Bearer', params };
    },
    openapi: () =>
      'jwt' in options ? { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } : { type: 'http', scheme: 'bearer' },
    // A bearer token carries scopes (RFC 6750 §3 `scope`): the route's requirement lists those.
    securityRequirement: (requires) => requires.scopes,
  };
  if (!jwt) return scheme;
  // recent-credentials.ts: "Bearer", one space, a token the verifier holds as verified. Any other
  // field (other spacing, a token not cached) is left to the guard's full reading.
  return withRecentAnswer(scheme, (field) => {
    const token = plainBearerToken(field);
    return token === undefined ? undefined : jwt.cached(token);
  });
}

function opaqueVerifier(opaque: OpaqueOptions): (token: string) => Promise<Principal | Refusal> {
  if (!opaque || typeof opaque.verify !== 'function')
    throw invalidArgument('bearerScheme: opaque.verify(token) is required');
  return async (token) => {
    const result = await opaque.verify(token);
    if (!result) return { reason: 'credentials_invalid', scheme: 'bearer', detail: 'The access token is not known.' };
    if ('reason' in result) return { ...result, scheme: 'bearer' };
    return principalOf(result, 'bearer');
  };
}
