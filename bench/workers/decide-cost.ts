// Gatehouse's own time per decision, in-process: what the node adapter does for a request whose
// credential was verified before (the request view, the Authorization lines, the guard's decision),
// on a real IncomingMessage, with no network. argv: variant. Prints { ns }: nanoseconds per decision.
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizationLines, toRequestView } from '../../src/adapters/node/index.ts';
import type { Decision } from '../../src/server/index.ts';
import { configuration } from './guards.ts';

const [variant] = process.argv.slice(2) as [string];
const { guard, authorization } = await configuration(variant);
if (!guard) throw new Error(`${variant} has no Gatehouse guard to measure`);

// One loopback request, kept: node:http's own parse of the headers a load generator sends.
const req = await new Promise<IncomingMessage>((resolve) => {
  const server = createServer((incoming, res) => {
    res.end();
    server.close();
    resolve(incoming);
  }).listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    request({ host: '127.0.0.1', port, headers: { authorization } }, (res) => res.resume()).end();
  });
});

const decide = () => guard.decide(toRequestView(req), { authorization: authorizationLines(req) });
const check = (decision: Decision) => {
  if (decision.outcome !== 'authenticated') throw new Error(`${variant}: the request was ${decision.outcome}`);
};
const first = decide();
check(first instanceof Promise ? await first : first); // verifies once and fills the cache

// Batches until the time is up; the fastest batch stands (the least disturbed by the machine).
const BATCH = 100_000;
let best = Number.POSITIVE_INFINITY;
const end = Date.now() + 2000;
while (Date.now() < end) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) {
    const decision = decide();
    if (decision instanceof Promise) throw new Error(`${variant}: a cached credential should be decided at once`);
    check(decision);
  }
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / BATCH);
}
process.stdout.write(JSON.stringify({ ns: best }));
process.exit(0);
