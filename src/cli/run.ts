/**
 * The `gatehouse` command line. Thin: it reads arguments, calls the library, prints.
 * Exit codes: 0 success, 1 a command found a problem, 64 bad usage (sysexits EX_USAGE).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runModelTour } from './model-tour.ts';
import { createOutput } from './output.ts';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  demo [--json]   Walk through the situations of the reference guides (see README).
  help            Show this text.
  version         Print the version.

Options:
  -h, --help      Show this text.
  -v, --version   Print the version.
`;

export const EXIT_USAGE = 64;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

export async function run(argv: readonly string[]): Promise<number> {
  const out = createOutput(process.stdout);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`gatehouse: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;

  if (values['version'] || command === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (values['help'] || command === 'help' || command === undefined) {
    process.stdout.write(USAGE);
    return command === undefined && !values['help'] ? EXIT_USAGE : 0;
  }
  if (rest.length > 0) {
    process.stderr.write(`gatehouse ${command}: unexpected argument ${JSON.stringify(rest[0])}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  switch (command) {
    case 'demo':
      return runModelTour(out, { json: values['json'] === true });
    default:
      process.stderr.write(`gatehouse: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return EXIT_USAGE;
  }
}
