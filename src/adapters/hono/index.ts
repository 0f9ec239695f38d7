/**
 * `gatehouse/hono`: Hono 4 middleware (`honoGuard`) and a guarded handler (`honoProtect`). Hono
 * already speaks Web Request and Response; the principal is `c.get('auth')`.
 */
export { clientAddressOf } from './client-address.ts';
export { idempotency } from './idempotency.ts';
export { fetchHandler } from './mount-fetch.ts';
export { preflight } from './preflight.ts';
export { honoGuard } from './protect.ts';
export { honoProtect } from './protect-handler.ts';
export type { HonoGuardOptions } from './protect-options.ts';
export type { GatehouseVariables } from './variables.ts';
