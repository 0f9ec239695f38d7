// `npm run fuzz [-- --runs N]`: 100,000 arbitrary inputs per parser and for the guard.
import { fuzz } from '../test/support/fuzz-targets.ts';

const index = process.argv.indexOf('--runs');
const runs = index > 0 ? Number(process.argv[index + 1]) : 100_000;
const started = Date.now();
const report = await fuzz(runs);
for (const row of report)
  process.stdout.write(`${row.target.padEnd(20)} ${row.runs} cases, slowest ${row.slowestMs} ms\n`);
process.stdout.write(
  `fuzz: ${report.length} targets, ${runs} cases each, no exception, in ${Math.round((Date.now() - started) / 1000)} s\n`,
);
