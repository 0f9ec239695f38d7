/**
 * In-memory stores: for tests and single-process demos. Everything is lost on exit. One file per
 * concern: memory-accounts.ts, memory-tokens.ts, memory-codes.ts, memory-nonces.ts,
 * memory-idempotency.ts.
 */

import type { ApiKeyLookup, UserLookup } from './lookups.ts';
import { memoryApiKeys, memoryClients, memoryUsers } from './memory-accounts.ts';
import { memoryAuthorizationCodes } from './memory-codes.ts';
import { memoryIdempotency } from './memory-idempotency.ts';
import { memoryNonces } from './memory-nonces.ts';
import { memoryDenyList, memoryJwtKeys, memoryRefreshTokens } from './memory-tokens.ts';
import type { GatehouseStore } from './types.ts';

export { memoryApiKeys, memoryClients, memorySessions, memorySigningKeys, memoryUsers } from './memory-accounts.ts';
export { type MemoryAuthorizationCodesOptions, memoryAuthorizationCodes } from './memory-codes.ts';
export { type MemoryIdempotencyOptions, memoryIdempotency } from './memory-idempotency.ts';
export { type MemoryNoncesOptions, memoryNonces } from './memory-nonces.ts';
export { memoryDenyList, memoryJwtKeys, memoryRefreshTokens } from './memory-tokens.ts';

export function memoryStore(): GatehouseStore {
  return {
    kind: 'memory',
    users: memoryUsers(),
    apiKeys: memoryApiKeys(),
    clients: memoryClients(),
    refreshTokens: memoryRefreshTokens(),
    authorizationCodes: memoryAuthorizationCodes(),
    denyList: memoryDenyList(),
    jwtKeys: memoryJwtKeys(),
    nonces: memoryNonces(),
    idempotency: memoryIdempotency(),
    close: async () => {},
  };
}

export type { ApiKeyLookup, UserLookup };
