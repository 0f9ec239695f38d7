/**
 * The `gatehouse` command line. Thin: it reads arguments, calls the library, prints.
 * Exit codes: 0 success, 1 a command found a problem, 64 bad usage (sysexits EX_USAGE).
 */
import { readFileSync } from 'node:fs';
import { CLIENTS_USAGE, clients } from './commands/clients.ts';
import { EXIT_USAGE, type Io, UsageError } from './commands/command.ts';
import { demoCommand } from './commands/demo.ts';
import { DOCTOR_USAGE, doctorCommand } from './commands/doctor.ts';
import { KEYS_USAGE, keys } from './commands/keys.ts';
import { SERVE_USAGE, serveCommand } from './commands/serve.ts';
import { tokenCommand } from './commands/token.ts';
import { USERS_USAGE, users } from './commands/users.ts';

export { EXIT_USAGE };

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  demo [--json]     Walk through the situations of the reference guides (see README).
  serve …           The playground: httpbin's auth endpoints and more, offline.
  doctor …          Name the cause of a 401 (or 403, 429) with evidence and the fix.
  token inspect …   Decode a JWT locally and flag what is wrong with it.
  users …           Manage users who sign in with a password.
  keys …            Manage API keys (a new key's secret is printed once).
  clients …         Manage OAuth 2.0 clients of the token endpoint.
  help, version

${SERVE_USAGE}

${DOCTOR_USAGE}

${USERS_USAGE}

${KEYS_USAGE}

${CLIENTS_USAGE}
`;

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

const commands: Record<string, (argv: readonly string[], io: Io) => Promise<number>> = {
  serve: serveCommand,
  doctor: doctorCommand,
  token: tokenCommand,
  users,
  keys,
  clients,
  demo: demoCommand,
};

export async function run(argv: readonly string[]): Promise<number> {
  const io: Io = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  const [command, ...rest] = argv;
  if (command === 'version' || command === '--version' || command === '-v') {
    io.out(version());
    return 0;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  const handler = command === undefined ? undefined : commands[command];
  if (!handler) {
    process.stderr.write(
      `${command === undefined ? 'gatehouse: a command is needed' : `gatehouse: unknown command ${JSON.stringify(command)}`}\n\n${USAGE}`,
    );
    return EXIT_USAGE;
  }
  try {
    return await handler(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gatehouse ${command}: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    // A failure the library explained (a coded error): its message, no stack.
    if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') {
      io.err(`gatehouse ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
