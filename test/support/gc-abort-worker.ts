// Run with --expose-gc: a slow server, a 300 ms total budget, and the garbage collector running
// all the while. The budget must still end the call (undici loses aborts of collected Requests).
import { createClient } from '../../src/client/index.ts';
import { json, startServer } from './server.ts';

const server = await startServer(async (_req, res) => {
  await new Promise((r) => setTimeout(r, 2000));
  json(res, 200, {});
});
const collect = setInterval(() => (globalThis as { gc?: () => void }).gc?.(), 10);
const started = Date.now();
const outcome = await createClient({ baseUrl: server.url, timeout: { total: 300 } })
  .get('slow')
  .then(
    (r) => `response ${r.status}`,
    (e: Error) => e.name,
  );
clearInterval(collect);
process.stdout.write(JSON.stringify({ outcome, ms: Date.now() - started }));
await server.close();
