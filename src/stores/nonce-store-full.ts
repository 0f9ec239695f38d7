import { GatehouseError } from '../http/gatehouse-error.ts';

/**
 * A replay cache that has no room for another nonce. It must never make room by forgetting a
 * nonce still inside its window (the request it belongs to could then be replayed), so it refuses
 * the new one instead, and the signature scheme answers 503 store_unavailable: fail closed.
 */
export class NonceStoreFullError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_NONCE_STORE_FULL';
  declare readonly code: typeof NonceStoreFullError.code;
  /** When the first nonce held leaves its window, freeing room. */
  readonly retryAfterMs: number;
  /** True when only the signing key's own share is full: the key is refused, the others go on. */
  readonly perKey: boolean;
  constructor(capacity: number, retryAfterMs: number, perKey = false) {
    super(
      perKey
        ? `A signing key holds its share of the replay cache, ${capacity} nonces, all inside their window: its new signed requests are refused until some expire.`
        : `The replay cache holds ${capacity} nonces, all inside their window: new signed requests are refused until some expire. Size it for (signed requests per second) × 2 × window, or use a shared store (Redis, SQL).`,
      NonceStoreFullError.code,
    );
    this.retryAfterMs = retryAfterMs;
    this.perKey = perKey;
  }
}
