/** `gatehouse demo`: the playground in-process, and the tour through it. */
import { startPlayground } from '../../playground/serve.ts';
import { NEXT_STEP, runTour, type Scenario } from '../../playground/tour/index.ts';
import { createOutput } from '../output.ts';
import { EXIT_FAILED, EXIT_OK, type Io, parse, UsageError } from './command.ts';

export const DEMO_USAGE = 'gatehouse demo [--json]';

export async function demoCommand(argv: readonly string[], _io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const out = createOutput(process.stdout);
  const { color } = out;
  const started = Date.now();
  const playground = await startPlayground();
  let scenarios: Scenario[];
  try {
    if (!values.json) {
      out.line(color.bold('Gatehouse demo'));
      out.line(
        color.dim(
          `The playground is listening on ${playground.url} (and ${playground.otherUrl}); every scenario of the`,
        ),
      );
      out.line(
        color.dim(
          'Python requests guide runs through the Gatehouse client, then the server refuses what it should. Secrets are masked.',
        ),
      );
    }
    scenarios = await runTour(playground, (scenario, i) => {
      if (values.json) return;
      out.line();
      out.line(color.bold(`${i + 1}. ${scenario.title}`));
      for (const { sent, received } of scenario.exchanges) {
        out.line(color.cyan(`   → ${sent.split('\n').join('\n     ')}`));
        out.line(color.magenta(`   ← ${received.split('\n').join('\n     ')}`));
      }
      for (const line of scenario.story) out.line(`   ${line}`);
      out.line(scenario.holds ? `   ${color.green('✔ as documented')}` : `   ${color.red('✘ not as documented')}`);
    });
  } finally {
    await playground.close();
  }
  const failed = scenarios.filter((s) => !s.holds).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (values.json) {
    out.line(
      JSON.stringify(
        { playground: 'in-process', seconds: Number(seconds), scenarios, passed: scenarios.length - failed, failed },
        null,
        2,
      ),
    );
  } else {
    out.line();
    out.line(`demo: ${scenarios.length - failed} passed, ${failed} failed (${seconds} s)`);
    for (const line of NEXT_STEP) out.line(line);
  }
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}
