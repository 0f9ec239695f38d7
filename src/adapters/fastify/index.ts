/**
 * `gatehouse-http/fastify`: a Fastify 5 plugin that decorates `request.auth`, and a preHandler per
 * route — `protect(guard)` guards it; `mountFetch` (a plugin) mounts a fetch-style handler;
 * `idempotency(options)` gives the hooks that run a POST once per Idempotency-Key. For signed
 * requests the plugin keeps the raw body (a preParsing hook) so the guard can check it while
 * Fastify still parses the body as usual.
 */
export { type IdempotencyHooks, idempotency } from './idempotency.ts';
export { mountFetch } from './mount-fetch.ts';
export { gatehousePlugin } from './plugin.ts';
export { protect } from './protect.ts';
export { rateLimit } from './rate-limit.ts';
