/** What every command gets: where it prints, where its exit code goes, and how its help is laid out. */

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface Cli {
  readonly io: Io;
  /** Sets the run's exit code: commander drops what an action returns, so an action hands it here. */
  exitWith(code: number): void;
  /** The words after `--` (curl's, already split by the shell, for the doctor); undefined without `--`. */
  readonly afterDashes: readonly string[] | undefined;
}

/** A repeatable option's values in the order given (`-H a -H b`); undefined when it was not given. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The "Examples:" section of a command's help: each command line, then what it does. */
export function examples(...items: ReadonlyArray<readonly [command: string, what: string]>): string {
  return `\nExamples:\n${items.map(([command, what]) => `  $ ${command}\n      ${what}`).join('\n')}`;
}
