// Runs with NODE_EXTRA_CA_CERTS set to the test certificate: an https origin redirects to an
// http one on the same host, and the http side reports which credentials reached it.
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { bearer, createClient } from '../../src/client/index.ts';
import { json, startServer } from './server.ts';

const [certPath, keyPath] = process.argv.slice(2) as [string, string];
const plain = await startServer((req, res) =>
  json(res, 200, { authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null }),
);
const secure = createHttpsServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, (req, res) => {
  if (req.url === '/go') {
    res.writeHead(302, { location: `${plain.origin}/landing` });
    res.end();
  } else {
    json(res, 200, { authorization: req.headers.authorization ?? null });
  }
});
await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
const secureOrigin = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;

const client = createClient({ auth: bearer('token-for-https-only'), headers: { cookie: 'sid=1' } });
const direct = await (await client.get(`${secureOrigin}/direct`)).json();
const redirected = await (await client.get(`${secureOrigin}/go`)).json();
process.stdout.write(JSON.stringify({ direct, redirected }));
secure.closeAllConnections();
secure.close();
await plain.close();
