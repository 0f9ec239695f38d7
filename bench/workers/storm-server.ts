// The refresh storm's server: /api accepts only the newest token; /token issues a new one (20 ms of work) and counts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let issued = 0;
let current = 'stale';
const server = createServer((req, res) => {
  if (req.url === '/token') {
    setTimeout(() => {
      current = `fresh-${++issued}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: current, token_type: 'Bearer', expires_in: 3600 }));
    }, 20);
    return;
  }
  if (req.url === '/calls') {
    res.end(JSON.stringify({ tokenCalls: issued }));
    return;
  }
  if (req.headers.authorization === `Bearer ${current}`) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  } else {
    res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': 'application/json' });
    res.end('{"error":"invalid_token"}');
  }
});
server.maxConnections = 10_000;
server.listen(0, '127.0.0.1', 2048, () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
