/** `gatehouse serve`: the playground, until SIGINT or SIGTERM. */
import { Command } from 'commander';
import { allowedHostName } from '../../playground/host-check.ts';
import { demoAccountsSummary } from '../../playground/seed.ts';
import { issuerUrl, NAMESPACE_PATTERN, startPlayground } from '../../playground/serve.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { originOption } from '../origin-option.ts';
import { UsageError } from '../usage-error.ts';
import { type Cli, collect, examples } from './command.ts';

interface ServeOptions {
  port?: string;
  host?: string;
  store?: string;
  redis?: string;
  namespace?: string;
  refreshGrace?: string;
  corsOrigin?: string[];
  seedDemo?: boolean;
  allowedHost?: string[];
  issuer?: string;
}

export function serveCommand(cli: Cli): Command {
  return new Command('serve')
    .summary("the playground: httpbin's auth endpoints and more, offline")
    .description(
      "Serves the playground until Ctrl-C (SIGINT) or SIGTERM: httpbin's auth endpoints, a guarded API, " +
        'tokens, sessions and the faults httpbin cannot simulate. Its first line is the address it listens on; ' +
        'GET / lists every route.',
    )
    .option('--port <port>', 'the port, 0 for any free one (default 0)')
    .option('--host <host>', 'the address to listen on (default 127.0.0.1)')
    .option('--store <url>', 'keep state in sqlite:PATH or postgres://… (default: in memory)')
    .option('--seed-demo', 'with --store: plant the published demo accounts in that store')
    .option('--redis <url>', 'keep rate limits and lockouts in Redis, redis://…')
    .option('--namespace <name>', 'a Postgres schema and Redis key prefix, 1 to 48 letters, digits and _')
    .option('--refresh-grace <ms>', 'how long a rotated refresh token is still accepted, 0 to 60000 (default 1000)')
    .option('--cors-origin <origin>', 'also allow this origin, e.g. https://app.example (repeatable)', collect)
    .option(
      '--allowed-host <name>',
      'also answer requests for this Host name, e.g. app.example.test (repeatable)',
      collect,
    )
    .option(
      '--issuer <url>',
      "the authorization server's public URL, as clients reach it (default: the address it listens on)",
    )
    .addHelpText(
      'after',
      `
Without --cors-origin only pages served from this machine (loopback origins) may read its answers;
without --allowed-host it answers only requests addressed to this machine (no DNS rebinding).
${examples(
  ['gatehouse serve --port 8080', 'the playground on http://127.0.0.1:8080'],
  ['curl -u user:passwd http://127.0.0.1:8080/basic-auth/user/passwd', 'then: Basic auth, as on httpbin'],
  [
    'gatehouse serve --store sqlite:playground.db --seed-demo --cors-origin http://localhost:5173',
    'state kept across restarts; a dev server on :5173 may call it',
  ],
)}`,
    )
    .action(async (options: ServeOptions) => cli.exitWith(await serve(options, cli)));
}

/** A whole number from `min` to `max`, written as digits only (so '' and '0x50' are refused). */
function wholeNumber(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  return value >= min && value <= max ? value : Number.NaN;
}

async function serve(options: ServeOptions, { io }: Cli): Promise<number> {
  const port = wholeNumber(options.port, 0, 65_535) ?? 0;
  if (Number.isNaN(port)) throw new UsageError('--port takes a port number from 0 (any free port) to 65535');
  const grace = wholeNumber(options.refreshGrace, 0, 60_000);
  if (grace !== undefined && Number.isNaN(grace))
    throw new UsageError(
      '--refresh-grace takes milliseconds from 0 (a rotated refresh token is never accepted again) to 60000',
    );
  if (options.namespace !== undefined && !NAMESPACE_PATTERN.test(options.namespace))
    throw new UsageError('--namespace takes 1 to 48 letters, digits and _ (a Postgres schema and a Redis key prefix)');
  const corsOrigins = (options.corsOrigin ?? []).map((origin) => originOption('--cors-origin', origin));
  const allowedHosts = (options.allowedHost ?? []).map((name) => {
    try {
      return allowedHostName(name);
    } catch (error) {
      throw new UsageError(`--allowed-host: ${(error as Error).message}`);
    }
  });
  let issuer: string | undefined;
  if (options.issuer !== undefined)
    try {
      issuer = issuerUrl(options.issuer);
    } catch (error) {
      throw new UsageError(`--issuer: ${(error as Error).message}`);
    }
  // Listening for the signals before the address is printed: a supervisor that stops the
  // playground as soon as it reads the address still gets a clean close.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const playground = await startPlayground({
    port,
    host: options.host ?? '127.0.0.1',
    ...(options.store ? { store: options.store } : {}),
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(grace === undefined ? {} : { refreshGraceMs: grace }),
    ...(options.seedDemo ? { seedDemo: true } : {}),
    corsOrigins,
    allowedHosts,
    ...(issuer ? { issuer } : {}),
  });
  io.out(`gatehouse playground listening on ${playground.url}`);
  io.out(`second origin (for cross-origin redirects) on ${playground.otherUrl}`);
  // The store URL is not repeated: a postgres:// URL may hold a password.
  if (options.store && !playground.demoAccounts)
    io.out(
      'demo accounts are not created in the store given with --store: add users with `gatehouse users add NAME --store …` and clients with `gatehouse clients add ID --store …` (or pass --seed-demo to plant the published ones there)',
    );
  else if (options.store && options.seedDemo)
    io.out(
      `--seed-demo: planted the published demo accounts in the store given with --store, where anyone who read the README can use them: ${demoAccountsSummary()}`,
    );
  await stopped;
  await playground.close();
  io.out('gatehouse playground closed');
  return EXIT_OK;
}
