/**
 * `gatehouse-http/hono`: Hono 4 middleware — `protect(guard)` guards a route or a group, `preflight(guard)`
 * answers CORS preflights, `mountFetch(handler)` mounts a fetch-style handler, `idempotency(options)`
 * runs a POST once per Idempotency-Key — and `protectHandler(guard, handler)`, the same guard
 * around one route's handler instead of before it. Hono already speaks Web Request and Response;
 * the principal is `c.get('auth')`, typed in an app made `new Hono<GatehouseEnv>()`.
 */
export { clientAddressOf } from './client-address.ts';
export { idempotency } from './idempotency.ts';
export { mountFetch } from './mount-fetch.ts';
export { preflight } from './preflight.ts';
export { protect } from './protect.ts';
export { protectHandler } from './protect-handler.ts';
export type { ProtectOptions } from './protect-options.ts';
export { type HonoRateLimitOptions, rateLimit } from './rate-limit.ts';
export type { GatehouseEnv, GatehouseVariables } from './variables.ts';
