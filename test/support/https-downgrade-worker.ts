// Runs with NODE_EXTRA_CA_CERTS set to the test certificate: an https origin redirects to an
// http one on the same host, and the http side reports which credentials reached it. An optional
// third argument, a JSON object of extra headers, is sent with every request; the answers then
// also carry every header received, and a client that lists the http origin as trusted is tried too.
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { bearer, createClient } from '../../src/client/index.ts';
import { json, startServer } from './server.ts';

const [certPath, keyPath, extra] = process.argv.slice(2) as [string, string, string | undefined];
const extraHeaders: Record<string, string> = extra ? JSON.parse(extra) : {};
const report = (headers: Record<string, unknown>) => (extra ? { headers } : {});
const plain = await startServer((req, res) =>
  json(res, 200, {
    authorization: req.headers.authorization ?? null,
    cookie: extra ? undefined : (req.headers.cookie ?? null),
    ...report(req.headers),
  }),
);
const secure = createHttpsServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, (req, res) => {
  if (req.url === '/go') {
    res.writeHead(302, { location: `${plain.origin}/landing` });
    res.end();
  } else {
    json(res, 200, { authorization: req.headers.authorization ?? null, ...report(req.headers) });
  }
});
await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
const secureOrigin = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;

const headers = { cookie: 'sid=1', ...extraHeaders };
const client = createClient({ auth: bearer('token-for-https-only'), headers });
const direct = await (await client.get(`${secureOrigin}/direct`)).json();
const redirected = await (await client.get(`${secureOrigin}/go`)).json();
const trusting = createClient({
  auth: bearer('token-for-https-only'),
  headers,
  redirect: { trustedOrigins: [plain.origin] },
});
const trustedRedirected = await (await trusting.get(`${secureOrigin}/go`)).json();
process.stdout.write(JSON.stringify({ direct, redirected, trustedRedirected }));
secure.closeAllConnections();
secure.close();
await plain.close();
