/**
 * `gatehouse/node`: the guard in front of a node:http handler. It turns the IncomingMessage
 * into a Web Request for the guard and writes refusals back; nothing else.
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
export { serveFetch } from './mount-fetch.ts';
export { type AuthenticatedRequest, type ProtectOptions, protect } from './protect.ts';
