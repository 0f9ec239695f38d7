/** What every subcommand gets, and how it says it was misused. */
import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 64;

export class UsageError extends Error {}

/** Whether the arguments ask for help (before any `--`, after which the words are another program's). */
export const asksHelp = (argv: readonly string[]) => {
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  return own.some((a) => a === '--help' || a === '-h') || own[0] === 'help';
};

/** parseArgs with errors turned into UsageError (exit 64 with the usage text). */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Left-aligned columns, for lists. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}
