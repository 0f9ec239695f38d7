/**
 * `gatehouse-http/node`: Gatehouse on node:http, in the words every adapter uses. `protect(guard,
 * handler)` guards a route: the guard reads the IncomingMessage, writes refusals back and runs the
 * handler only with a principal. `mountFetch(handler)` mounts a fetch-style handler (the
 * authorization server's); `idempotency(options, handler)` runs a POST once per Idempotency-Key.
 * The pieces under them (the guard's view of a request, its Authorization lines, the body within
 * a limit, the Web Request and Response conversions) are exported for other node:http frameworks.
 */
export { type FetchHandler, type FetchMountOptions, mountBodyLimit } from '../shared/fetch-mount.ts';
export { authorizationLines } from '../shared/node-authorization.ts';
export { readBody, refuseBody } from '../shared/node-body.ts';
export { answerFailure } from '../shared/node-failure-answer.ts';
export { toRequestView } from '../shared/node-request-view.ts';
export { requestUrl } from '../shared/node-url.ts';
export { toWebRequest } from '../shared/node-web-request.ts';
export { sendWebResponse } from '../shared/node-web-response.ts';
export { idempotency, type LedgerRequest } from './idempotency.ts';
export { mountFetch } from './mount-fetch.ts';
export { type AuthenticatedRequest, type ProtectOptions, protect } from './protect.ts';
export { rateLimit } from './rate-limit.ts';
