/**
 * The `gatehouse` command line. Thin: it reads arguments, calls the library, prints. Whatever
 * happens, a run ends with an exit code (exit-codes.ts) and at most one line on stderr, never a
 * stack trace unless GATEHOUSE_DEBUG=1 asks for one.
 */
import { readFileSync } from 'node:fs';
import { watchClosedOutput } from './closed-output.ts';
import type { Io } from './commands/command.ts';
import { EXIT_OK } from './exit-codes.ts';
import { commandName, type Ending, ending } from './failure.ts';
import { commandAt, gatehouseProgram } from './program.ts';

/** The commands that read the words after `--` themselves (curl's, for the doctor). */
const READS_AFTER_DASHES = new Set(['doctor']);

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

export async function run(argv: readonly string[]): Promise<number> {
  // `gatehouse help token inspect` is `gatehouse token inspect --help`, at any depth.
  const words = argv[0] === 'help' ? [...argv.slice(1), '--help'] : [...argv];
  const io: Io = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  const dashes = words.indexOf('--');
  const split = dashes >= 0 && READS_AFTER_DASHES.has(words[0] ?? '');
  let code = EXIT_OK;
  const program = gatehouseProgram(
    { io, exitWith: (c) => (code = c), afterDashes: split ? words.slice(dashes + 1) : undefined },
    version(),
  );
  const own = split ? words.slice(0, dashes) : words;
  const command = commandAt(program, own);
  const end = (how: Ending) => {
    if (how.line !== undefined) io.err(how.line);
    if (how.stack !== undefined && process.env['GATEHOUSE_DEBUG'] === '1') io.err(how.stack);
    return how.code;
  };
  watchClosedOutput(commandName(command));
  // What escapes the run (an 'error' event nobody listens to, a promise nobody awaits) ends it the same way.
  process.on('uncaughtException', (error) => process.exit(end(ending(error, command))));
  try {
    await program.parseAsync(own, { from: 'user' });
    return code;
  } catch (error) {
    return end(ending(error, command));
  }
}
