/** `gatehouse demo`: the playground in-process, and the tour through it. */
import { Command } from 'commander';
import { startPlayground } from '../../playground/serve.ts';
import { NEXT_STEP, runTour, type Scenario } from '../../playground/tour/index.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { createOutput } from '../output.ts';
import { type Cli, examples } from './command.ts';

export function demoCommand(cli: Cli): Command {
  return new Command('demo')
    .summary('walk through the situations of the reference guides, offline')
    .description(
      'Starts the playground in this process and runs every scenario of the Python requests guide through the ' +
        'Gatehouse client (Basic and Bearer auth, refresh on 401, retries, a signed request, 429, a lockout, ' +
        'refresh-token reuse), then shows the server refusing what it should. Secrets are masked.',
    )
    .option('--json', 'print the scenarios and their exchanges as JSON')
    .addHelpText(
      'after',
      `\nExit codes:\n  0   every scenario as documented\n  1   one or more not\n${examples(
        ['gatehouse demo', 'the tour, in colour on a terminal'],
        ['gatehouse demo --json', 'the same for a machine: every exchange, secrets masked'],
      )}`,
    )
    .action(async (options: { json?: boolean }) => cli.exitWith(await demo(options)));
}

async function demo(values: { json?: boolean }): Promise<number> {
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
