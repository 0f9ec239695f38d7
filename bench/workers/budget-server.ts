// A server with a fixed request budget: 100 requests per 500 ms window; beyond it, 429 with Retry-After.
// argv: [fields] — with `fields`, every answer also carries the IETF RateLimit and RateLimit-Policy fields.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const withFields = process.argv[2] === 'fields';
const BUDGET = 100;
const WINDOW = 500; // ms
let windowStart = Date.now();
let used = 0;
let sent = 0;
let refused = 0;
const server = createServer((req, res) => {
  if (req.url === '/stats') {
    res.end(JSON.stringify({ sent, status429: refused }));
    sent = 0;
    refused = 0;
    return;
  }
  sent++;
  const now = Date.now();
  if (now - windowStart >= WINDOW) {
    windowStart = now;
    used = 0;
  }
  // The fields count whole seconds (draft-ietf-httpapi-ratelimit-headers: t is an Integer), as Retry-After does.
  const reset = Math.max(1, Math.ceil((windowStart + WINDOW - now) / 1000));
  const fields = (remaining: number): Record<string, string> =>
    withFields ? { 'ratelimit-policy': '"default";q=100;w=1', ratelimit: `"default";r=${remaining};t=${reset}` } : {};
  if (used >= BUDGET) {
    refused++;
    const wait = reset;
    res.writeHead(429, { 'retry-after': String(wait), 'content-type': 'application/json', ...fields(0) });
    res.end('{"error":"rate_limited"}');
    return;
  }
  used++;
  res.writeHead(200, { 'content-type': 'application/json', ...fields(BUDGET - used) });
  res.end('{"ok":true}');
});
server.listen(0, '127.0.0.1', 1024, () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
