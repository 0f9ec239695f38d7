/** `gatehouse serve`: the playground, until SIGINT or SIGTERM. */
import { corsOrigin } from '../../playground/cors.ts';
import { allowedHostName } from '../../playground/host-check.ts';
import { demoAccountsSummary } from '../../playground/seed.ts';
import { NAMESPACE_PATTERN, startPlayground } from '../../playground/serve.ts';
import { EXIT_OK, type Io, parse, UsageError } from './command.ts';

export const SERVE_USAGE =
  'gatehouse serve [--port 0] [--host 127.0.0.1] [--store sqlite:PATH | postgres://… [--seed-demo]] [--redis redis://…] [--namespace NAME] [--refresh-grace MS] [--cors-origin ORIGIN]… [--allowed-host NAME]…';

export async function serveCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    store: { type: 'string' },
    redis: { type: 'string' },
    namespace: { type: 'string' },
    'refresh-grace': { type: 'string' },
    'cors-origin': { type: 'string', multiple: true },
    'seed-demo': { type: 'boolean' },
    'allowed-host': { type: 'string', multiple: true },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError('--port takes a port number from 0 (any free port) to 65535');
  const grace = values['refresh-grace'] === undefined ? undefined : Number(values['refresh-grace']);
  if (grace !== undefined && !(Number.isInteger(grace) && grace >= 0 && grace <= 60_000))
    throw new UsageError(
      '--refresh-grace takes milliseconds from 0 (a rotated refresh token is never accepted again) to 60000',
    );
  if (values.namespace !== undefined && !NAMESPACE_PATTERN.test(values.namespace))
    throw new UsageError('--namespace takes 1 to 48 letters, digits and _ (a Postgres schema and a Redis key prefix)');
  const corsOrigins = (values['cors-origin'] ?? []).map((origin) => {
    try {
      return corsOrigin(origin);
    } catch (error) {
      throw new UsageError(`--cors-origin: ${(error as Error).message}`);
    }
  });
  // Listening for the signals before the address is printed: a supervisor that stops the
  // playground as soon as it reads the address still gets a clean close.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const allowedHosts = (values['allowed-host'] ?? []).map((name) => {
    try {
      return allowedHostName(name);
    } catch (error) {
      throw new UsageError(`--allowed-host: ${(error as Error).message}`);
    }
  });
  const playground = await startPlayground({
    port,
    host: values.host ?? '127.0.0.1',
    ...(values.store ? { store: values.store } : {}),
    ...(values.redis ? { redis: values.redis } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(grace === undefined ? {} : { refreshGraceMs: grace }),
    ...(values['seed-demo'] ? { seedDemo: true } : {}),
    corsOrigins,
    allowedHosts,
  });
  io.out(`gatehouse playground listening on ${playground.url}`);
  io.out(`second origin (for cross-origin redirects) on ${playground.otherUrl}`);
  // The store URL is not repeated: a postgres:// URL may hold a password.
  if (values.store && !playground.demoAccounts)
    io.out(
      'demo accounts are not created in the store given with --store: add users with `gatehouse users add NAME --store …` and clients with `gatehouse clients add ID --store …` (or pass --seed-demo to plant the published ones there)',
    );
  else if (values.store && values['seed-demo'])
    io.out(
      `--seed-demo: planted the published demo accounts in the store given with --store, where anyone who read the README can use them: ${demoAccountsSummary()}`,
    );
  await stopped;
  await playground.close();
  io.out('gatehouse playground closed');
  return EXIT_OK;
}
