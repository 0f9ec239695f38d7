// `npm run fuzz [-- --runs N] [-- --sockets M]`: 100,000 arbitrary inputs per parser and for the
// guard, then M random requests (default 2,000) over raw sockets to every listener.
import { fuzz } from '../test/support/fuzz-targets.ts';
import { startListeners } from '../test/support/raw-http.ts';
import { fuzzSockets } from '../test/support/socket-fuzz.ts';

const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const runs = option('--runs', 100_000);
const sockets = option('--sockets', 2_000);
const started = Date.now();
const report = await fuzz(runs);
for (const row of report)
  process.stdout.write(`${row.target.padEnd(20)} ${row.runs} cases, slowest ${row.slowestMs} ms\n`);
process.stdout.write(
  `fuzz: ${report.length} targets, ${runs} cases each, no exception, in ${Math.round((Date.now() - started) / 1000)} s\n`,
);
const socketsStarted = Date.now();
const listeners = await startListeners('sqlite', `fuzz_${process.pid}`);
try {
  const sent = await fuzzSockets(listeners, sockets);
  process.stdout.write(
    `fuzz: ${sent} random requests over raw sockets to ${Object.keys(listeners.ports).length} listeners, process alive, no 5xx, in ${Math.round((Date.now() - socketsStarted) / 1000)} s\n`,
  );
} finally {
  await listeners.stop();
}
