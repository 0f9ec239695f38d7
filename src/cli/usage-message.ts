/**
 * What a mistake commander finds while reading the command line becomes: the words of the one
 * usage line (run.ts adds the command's name and the pointer to its --help). Commander's own
 * messages repeat what was typed (`too many arguments …: <every argument>`); these name the
 * mistake and repeat only what cannot be a secret: an option's name, never its value, and the
 * names this program defines.
 */
import type { Command, CommanderError } from 'commander';

export function usageMessage(error: CommanderError, command: Command): string {
  switch (error.code) {
    case 'commander.unknownOption':
      return unknownOption(error.message);
    case 'commander.excessArguments':
      return 'an unexpected argument';
    case 'commander.missingArgument':
      return `${quoted(error.message, /argument '([^']+)'/, (name) => `<${name}>`)} is missing`;
    case 'commander.optionMissingArgument':
      return `${quoted(error.message, /option '([^']+)'/, (flags) => flags)} needs a value`;
    case 'commander.unknownCommand':
      return `an unknown command, not one of ${commandList(command)}${suggested(error.message)}`;
    // Help shown as an error: a command that has subcommands was given none.
    case 'commander.help':
      return `a command is needed: ${commandList(command)}`;
    default:
      return 'the command line cannot be read';
  }
}

/** The suggestion commander appends, from the names this program defines: safe to repeat. */
function suggested(message: string): string {
  const match = /\n\(Did you mean ([-\w]+)\?\)$/.exec(message);
  return match ? `; did you mean ${match[1]}?` : '';
}

function quoted(message: string, pattern: RegExp, show: (found: string) => string): string {
  const found = pattern.exec(message)?.[1];
  return found === undefined ? 'an argument' : show(found);
}

/**
 * `unknown option '<flag>'`: the flag's name is repeated when it is one (`--nope`, `-q`), without
 * what may follow it (`--bearr=TOKEN`, `-pSECRET`); a word that only starts with a dash is not.
 */
function unknownOption(message: string): string {
  const suggestion = suggested(message);
  const typed = message
    .replace(/\n\(Did you mean [-\w]+\?\)$/, '')
    .replace(/^error: unknown option '/, '')
    .replace(/'$/, '');
  const long = /^--[A-Za-z0-9][A-Za-z0-9-]{0,40}(?==|$)/.exec(typed);
  const short = /^-[A-Za-z0-9]/.exec(typed);
  const name = long?.[0] ?? (typed.startsWith('--') ? undefined : short?.[0]);
  return `${name ? `unknown option '${name}'` : 'an unknown option'}${suggestion}`;
}

/** The subcommands of `command`, for the line that says one is needed or unknown. */
function commandList(command: Command): string {
  const names = [...command.commands.map((c) => c.name()), 'help'];
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
