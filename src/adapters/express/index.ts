/**
 * `gatehouse-http/express`: Express 5 middleware — `protect(guard)` guards a route, `preflight(guard)`
 * answers CORS preflights, `mountFetch(handler)` mounts a fetch-style handler, `idempotency(options)`
 * runs a POST once per Idempotency-Key. The principal is `req.auth`. For signed requests
 * the guard needs the raw body: it uses `req.rawBody` (set it in express.json's `verify`) or a
 * Buffer `req.body` (express.raw), and otherwise reads the stream itself and leaves the bytes
 * in `req.rawBody` and `req.body`.
 */
export { idempotency } from './idempotency.ts';
export { mountFetch } from './mount-fetch.ts';
export { preflight } from './preflight.ts';
export { protect } from './protect.ts';
export { rateLimit } from './rate-limit.ts';
