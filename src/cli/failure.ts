/**
 * How a run that threw ends: one line on stderr and an exit code, never a stack trace. A usage
 * mistake says what is wrong and where the usage is (64); Ctrl-C at a prompt says "cancelled"
 * (130); an optional package that is not installed (pg, ioredis) says to install it (69); a
 * failure the library explained (a coded error) gives its message (1); anything else is a bug,
 * named as one (70), with its stack trace only when GATEHOUSE_DEBUG=1 asks for it.
 */
import { type Command, CommanderError } from 'commander';
import { MissingPeerError } from '../stores/missing-peer-error.ts';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_SOFTWARE, EXIT_UNAVAILABLE, EXIT_USAGE } from './exit-codes.ts';
import { PromptCancelled } from './secret-input.ts';
import { UsageError } from './usage-error.ts';
import { usageMessage } from './usage-message.ts';

export interface Ending {
  code: number;
  /** The line for stderr; none when commander printed help or the version, as asked. */
  line?: string;
  /** The stack trace, for GATEHOUSE_DEBUG=1. */
  stack?: string;
}

/** `gatehouse users add`: the command's name as typed, for the start of its lines. */
export function commandName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function ending(error: unknown, command: Command): Ending {
  const name = commandName(command);
  const usage = (message: string, subject?: string): Ending => ({
    code: EXIT_USAGE,
    line: `${name}${subject ? ` ${subject}` : ''}: ${message} (${name} --help shows the usage)`,
  });
  if (error instanceof CommanderError)
    return error.exitCode === 0 ? { code: EXIT_OK } : usage(usageMessage(error, command));
  if (error instanceof UsageError) return usage(oneLine(error.message), error.subject);
  if (error instanceof PromptCancelled) return { code: EXIT_INTERRUPTED, line: `${name}: cancelled` };
  // sysexits EX_UNAVAILABLE: not a finding nor a usage mistake; the line names the package to install.
  if (error instanceof MissingPeerError) return { code: EXIT_UNAVAILABLE, line: `${name}: ${oneLine(error.message)}` };
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
    return { code: EXIT_FAILED, line: `${name}: ${oneLine(error.message)}` };
  // Its message is not printed: it may quote input (JSON.parse does), and input may be a secret.
  const kind = error instanceof Error ? error.name : typeof error;
  return {
    code: EXIT_SOFTWARE,
    line: `${name}: internal error (${kind}), a bug in gatehouse: please report it; GATEHOUSE_DEBUG=1 shows the stack trace`,
    stack: error instanceof Error && error.stack ? error.stack : String(error),
  };
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
