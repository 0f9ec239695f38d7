import { GatehouseError } from '../http/gatehouse-error.ts';

/**
 * An authorization-code store (the memory one, which is bounded) holding as many codes as it may,
 * none of them past the time it must be kept to recognise a replay. It never makes room by
 * forgetting one (a replayed code would then look unknown, and what its first redemption issued
 * would not be revoked, RFC 6749 §4.1.2), so the new code is refused: the authorization endpoint
 * answers temporarily_unavailable (RFC 6749 §4.1.2.1). Fail closed.
 */
export class AuthorizationCodeStoreFullError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_AUTHORIZATION_CODE_STORE_FULL';
  declare readonly code: typeof AuthorizationCodeStoreFullError.code;
  /** When the first code held may be forgotten, freeing room. */
  readonly retryAfterMs: number;
  constructor(capacity: number, retryAfterMs: number) {
    super(
      `The authorization-code store holds ${capacity} codes, all still kept to recognise a replay: new authorizations are refused until some are forgotten. Raise maxEntries, shorten how long codes are kept, or use a shared store (SQL).`,
      AuthorizationCodeStoreFullError.code,
    );
    this.retryAfterMs = retryAfterMs;
  }
}
