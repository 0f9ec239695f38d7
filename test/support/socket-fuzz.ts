/**
 * Random requests over raw sockets: a method, a target (an endpoint's path with random query
 * bytes), random header names and byte values (the credential fields among them), a random body
 * with a Content-Length that may lie, all as bytes no client library would produce. Shared by
 * `npm test` (a few hundred) and `npm run fuzz -- --sockets N`.
 */
import fc from 'fast-check';
import { exchange, type Listeners, request } from './raw-http.ts';

const bytes = (maxLength: number) =>
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
        { weight: 1, arbitrary: fc.integer({ min: 0x00, max: 0x1f }) },
        { weight: 1, arbitrary: fc.constantFrom(0x25, 0x3d, 0x26, 0x2c, 0x22, 0x7f) }, // % = & , " DEL
      ),
      { maxLength },
    )
    .map((codes) => String.fromCharCode(...codes));

const PATHS = [
  '/api',
  '/query',
  '/signed',
  '/orders',
  '/oauth/token',
  '/oauth/revoke',
  '/.well-known/jwks.json',
  '/.well-known/oauth-authorization-server',
  '/api/me',
  '/api/signed',
  '/session/login',
];
const HEADERS = [
  'Authorization',
  'Host',
  'X-API-Key',
  'Cookie',
  'Content-Type',
  'Idempotency-Key',
  'X-Timestamp',
  'X-Nonce',
  'X-Signature',
  'Origin',
  'Access-Control-Request-Method',
  'Transfer-Encoding',
];
const PREFIXES = [
  '',
  'Basic ',
  'Bearer ',
  'Gatehouse-HMAC-SHA256 keyId=',
  'application/x-www-form-urlencoded',
  'api.test',
];

export const randomRequest = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'OPTIONS', 'PUT', 'HEAD', 'DELETE'),
    path: fc.constantFrom(...PATHS),
    query: fc.option(
      bytes(40).map((q) => q.replace(/[\s#]/g, '')),
      { nil: undefined },
    ),
    headers: fc.array(
      fc.tuple(
        fc.constantFrom(...HEADERS),
        fc.tuple(fc.constantFrom(...PREFIXES), bytes(60)).map(([p, v]) => (p + v).replace(/[\r\n]/g, '')),
      ),
      { maxLength: 6 },
    ),
    host: fc.oneof(
      fc.constant('api.test'),
      bytes(20).map((h) => h.replace(/[\r\n]/g, '')),
    ),
    body: fc.option(bytes(200), { nil: undefined }),
    lengthDelta: fc.constantFrom(0, 0, 0, -3, 5),
  })
  .map((r) => {
    const headers: Array<[string, string]> = [['Host', r.host], ...r.headers];
    if (r.body !== undefined && r.lengthDelta !== 0)
      headers.push(['Content-Length', String(Math.max(0, r.body.length + r.lengthDelta))]);
    return request(r.method, r.query === undefined ? r.path : `${r.path}?${r.query}`, headers, r.body);
  });

/**
 * Sends `runs` random requests to each listener: after each, the process runs and no answer is
 * a 5xx (a malformed request is the client's problem, and nothing here reaches a failing store).
 */
export async function fuzzSockets(listeners: Listeners, runs: number, seed?: number): Promise<number> {
  let sent = 0;
  for (const [name, port] of Object.entries(listeners.ports)) {
    await fc.assert(
      fc.asyncProperty(randomRequest, async (bytes) => {
        const answer = await exchange(port, bytes, 2000, { end: true });
        sent++;
        if (!listeners.alive()) throw new Error(`${name}: the process ended: ${listeners.stderr()}`);
        if (answer.status !== undefined && answer.status >= 500)
          throw new Error(`${name}: answered ${answer.status}\n${answer.head}\n${answer.body.slice(0, 300)}`);
      }),
      { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
    );
  }
  return sent;
}
