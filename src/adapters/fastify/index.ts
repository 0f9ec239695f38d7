/**
 * `gatehouse/fastify`: a Fastify 5 plugin that decorates `request.auth`, and a preHandler per
 * route. For signed requests the plugin keeps the raw body (a preParsing hook) so the guard can
 * check it while Fastify still parses the body as usual.
 */
export { type IdempotencyHooks, idempotency } from './idempotency.ts';
export { fetchRoutes } from './mount-fetch.ts';
export { gatehousePlugin } from './plugin.ts';
export { guardHandler } from './protect.ts';
