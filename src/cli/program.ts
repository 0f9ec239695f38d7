/**
 * The `gatehouse` program: one commander command per command, each with its own help, and the
 * settings they all share. Commander prints help (stdout) and the version; it prints no error:
 * what it finds wrong is thrown, and run.ts says it in one line.
 */
import { Command } from 'commander';
import { clientsCommand } from './commands/clients.ts';
import type { Cli } from './commands/command.ts';
import { demoCommand } from './commands/demo.ts';
import { doctorCommand } from './commands/doctor.ts';
import { keysCommand } from './commands/keys.ts';
import { serveCommand } from './commands/serve.ts';
import { tokenCommand } from './commands/token.ts';
import { usersCommand } from './commands/users.ts';
import { EXIT_CODES_HELP, EXIT_OK } from './exit-codes.ts';

/** Help is laid out for this width whatever the terminal's, so it reads the same everywhere (and in docs/). */
const HELP_WIDTH = 100; // columns

export function gatehouseProgram(cli: Cli, version: string): Command {
  const program = new Command('gatehouse')
    .description(
      'HTTP authentication that goes right: a client that recovers from 401s, a server that refuses exactly ' +
        'right, an offline playground, and a doctor that names the cause of a 401.',
    )
    .usage('<command> [options]')
    .version(version, '-v, --version', 'print the version')
    .addCommand(demoCommand(cli))
    .addCommand(serveCommand(cli))
    .addCommand(doctorCommand(cli))
    .addCommand(tokenCommand(cli))
    .addCommand(usersCommand(cli))
    .addCommand(keysCommand(cli))
    .addCommand(clientsCommand(cli))
    .addCommand(
      new Command('version').description('print the version').action(() => {
        cli.io.out(version);
        cli.exitWith(EXIT_OK);
      }),
    )
    .addHelpText(
      'after',
      `
\`gatehouse help <command>\` or \`gatehouse <command> --help\` shows a command's options and examples.

${EXIT_CODES_HELP}`,
    );
  settle(program);
  return program;
}

/** Every command of the tree helps, prints and fails alike (commands made with `new Command` inherit nothing). */
function settle(command: Command): void {
  command
    .helpOption('-h, --help', 'show this help')
    .configureHelp({ helpWidth: HELP_WIDTH })
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: () => {},
      outputError: () => {},
    })
    .exitOverride();
  if (command.commands.length) command.helpCommand('help [command]', 'show the help of a command');
  for (const sub of command.commands) settle(sub);
}

/** The command `words` name (`users add alice` names `users add`), for the lines that speak of it. */
export function commandAt(program: Command, words: readonly string[]): Command {
  let command = program;
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
  }
  return command;
}
