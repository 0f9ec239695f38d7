// The Python requests guide's "complete client": one client facing 401, 429, 5xx, a refused
// connection and a timeout, each surfacing as a typed error with a stable code.
import { basic, type ClientRequestInit, createClient, GatehouseError, HttpError } from '../src/client/index.ts';
import { EXAMPLE_ACCOUNTS, startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
try {
  const client = createClient({
    baseUrl: server.url,
    auth: basic(EXAMPLE_ACCOUNTS.user, EXAMPLE_ACCOUNTS.password),
    retry: { limit: 2, baseDelay: 100 },
    timeout: { attempt: 1000, total: 2500 },
  });
  const cases: Array<[string, string, ClientRequestInit?]> = [
    ['401', 'status/401'],
    ['429 with Retry-After', 'rate-limited'],
    ['500', 'status/500'],
    ['timeout', 'delay/3'],
    // Another origin: the client's credentials belong to its baseUrl, so the call says to go without them.
    ['connection refused', 'http://127.0.0.1:9/', { otherOrigins: 'omit' }],
    ['200', 'basic-auth/user/passwd'],
  ];
  for (const [what, path, init] of cases) {
    try {
      const response = await client.get(path, init);
      console.log(`${what.padEnd(20)} → ${response.status} OK`);
    } catch (error) {
      if (!(error instanceof GatehouseError)) throw error;
      const status = error instanceof HttpError ? ` ${error.status}` : '';
      console.log(`${what.padEnd(20)} → ${error.name}${status} (${error.code})`);
    }
  }
} finally {
  await server.close();
}
