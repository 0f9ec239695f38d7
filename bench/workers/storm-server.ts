// The refresh storm's server: /api accepts every token /token issued (each stays valid, as most issuers' do); /token takes 20 ms and counts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let issued = 0;
const valid = new Set<string>();
const server = createServer((req, res) => {
  if (req.url === '/token') {
    setTimeout(() => {
      const current = `fresh-${++issued}`;
      valid.add(current);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: current, token_type: 'Bearer', expires_in: 3600 }));
    }, 20);
    return;
  }
  if (req.url === '/calls') {
    res.end(JSON.stringify({ tokenCalls: issued }));
    return;
  }
  if (valid.has(String(req.headers.authorization).replace('Bearer ', ''))) {
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
