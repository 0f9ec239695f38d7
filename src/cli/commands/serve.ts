/** `gatehouse serve`: the playground, until SIGINT or SIGTERM. */
import { NAMESPACE_PATTERN, startPlayground } from '../../playground/serve.ts';
import { EXIT_OK, type Io, parse, UsageError } from './command.ts';

export const SERVE_USAGE =
  'gatehouse serve [--port 0] [--host 127.0.0.1] [--store sqlite:PATH | postgres://…] [--redis redis://…] [--namespace NAME] [--refresh-grace MS]';

export async function serveCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    store: { type: 'string' },
    redis: { type: 'string' },
    namespace: { type: 'string' },
    'refresh-grace': { type: 'string' },
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
  const playground = await startPlayground({
    port,
    host: values.host ?? '127.0.0.1',
    store: values.store ?? 'sqlite::memory:',
    ...(values.redis ? { redis: values.redis } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(grace === undefined ? {} : { refreshGraceMs: grace }),
  });
  io.out(`gatehouse playground listening on ${playground.url}`);
  io.out(`second origin (for cross-origin redirects) on ${playground.otherUrl}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await playground.close();
  io.out('gatehouse playground closed');
  return EXIT_OK;
}
