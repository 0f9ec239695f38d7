/**
 * The token service's options, and the one place they are checked: once, at creation, into the
 * settled configuration its steps read.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import type { DenyList, JwtKeyStore, RefreshTokenStore } from '../../stores/types.ts';
import { type SigningAlgorithm, type SigningKeyRing, signingKeyRing } from './signing-key-ring.ts';

export interface TokenServiceOptions {
  store: { refreshTokens: RefreshTokenStore; denyList: DenyList; jwtKeys: JwtKeyStore };
  /** The `iss` of every access token (and the authorization server's identifier, RFC 8414). */
  issuer: string;
  /** The `aud` of access tokens. @default the issuer */
  audience?: string;
  /**
   * The resources (RFC 8707 §2) a client may ask a token for, besides `audience`: absolute URIs
   * without a fragment, each compared by exact string. A token asked for one carries it as `aud`;
   * any other `resource` is refused with invalid_target. @default [] (only `audience`)
   */
  resources?: readonly string[];
  /** @default 'EdDSA' */
  algorithm?: 'EdDSA' | 'ES256' | 'HS256';
  /** The HS256 secret (at least 32 bytes); asymmetric keys are generated and kept in the store. */
  secret?: string;
  /** @default 600 (10 minutes) */
  accessTokenTtlSeconds?: number;
  /** @default 2_592_000 (30 days) */
  refreshTokenTtlSeconds?: number;
  /**
   * How long after a rotation the old refresh token may be presented again (two requests that
   * refresh at once, a response lost on the way): the repeat gets the same successor back, with an
   * access token of its own, never a new chain. After the window, for a token whose successor
   * was rotated too, or for a repeat that is expired or asks a wider scope, a repeat revokes the
   * family; so does any refresh token presented by another client. 0 accepts every refresh token
   * exactly once.
   * @default 10_000 ms
   */
  reuseGraceMs?: number;
}

/** What the service settled at creation: its stores, its keys, its claims and lifetimes. */
export interface TokenServiceConfig {
  readonly refreshTokens: RefreshTokenStore;
  readonly denyList: DenyList;
  readonly keys: SigningKeyRing;
  readonly algorithm: SigningAlgorithm;
  readonly issuer: string;
  readonly audience: string;
  readonly resources: readonly string[];
  /** Seconds. */
  readonly accessTtl: number;
  /** Seconds. */
  readonly refreshTtl: number;
  /** How long a rotated refresh token may come back as a replay (ms). */
  readonly grace: number;
}

/** Checks the options once, at creation. */
export function configOf(options: TokenServiceOptions): TokenServiceConfig {
  if (!options?.store?.refreshTokens || !options.store.denyList || !options.store.jwtKeys)
    throw invalidArgument('createTokenService: store must provide refreshTokens, denyList and jwtKeys');
  if (typeof options.issuer !== 'string' || !options.issuer)
    throw invalidArgument('createTokenService: issuer is required (a URL that names this server)');
  const algorithm = options.algorithm ?? 'EdDSA';
  if (algorithm === 'HS256' && (typeof options.secret !== 'string' || Buffer.byteLength(options.secret) < 32)) {
    throw invalidArgument('createTokenService: HS256 needs a secret of at least 32 bytes');
  }
  const resources = [...(options.resources ?? [])];
  for (const resource of resources) {
    const url = URL.parse(resource);
    // RFC 8707 §2: an absolute URI, without a fragment.
    if (typeof resource !== 'string' || !url || resource.includes('#'))
      throw invalidArgument(`createTokenService: each of resources must be an absolute URI without a fragment`);
  }
  const { refreshTokens, denyList, jwtKeys } = options.store;
  const issuer = options.issuer;
  return {
    refreshTokens,
    denyList,
    keys: signingKeyRing(jwtKeys, algorithm, options.secret),
    algorithm,
    issuer,
    audience: options.audience ?? issuer,
    resources: Object.freeze(resources),
    accessTtl: options.accessTokenTtlSeconds ?? 600,
    refreshTtl: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    grace: options.reuseGraceMs ?? 10_000,
  };
}
