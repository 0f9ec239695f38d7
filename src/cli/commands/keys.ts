/** `gatehouse keys create|list|revoke|rotate`: API keys, whose secret is printed once. */
import { Command } from 'commander';
import { INVALID_ARGUMENT } from '../../http/index.ts';
import { type CreatedApiKey, createApiKey } from '../../server/credentials/api-key.ts';
import type { GatehouseStore } from '../../stores/types.ts';
import { parseDuration } from '../durations.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { withStore } from '../store-option.ts';
import { table } from '../table.ts';
import { UsageError } from '../usage-error.ts';
import { type Cli, collect, examples, type Io } from './command.ts';
import { storeFlag } from './store-flag.ts';

interface CreateOptions {
  id?: string;
  scope?: string[];
  role?: string[];
  expires?: string;
  prefix?: string;
  store?: string;
}

interface RotateOptions {
  overlap?: string;
  prefix?: string;
  store?: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

const PREFIX_HELP = 'the key\'s first part, 1 to 16 lower-case letters and digits (default "gh")';

export function keysCommand(cli: Cli): Command {
  const keys = new Command('keys')
    .summary('manage API keys (a new key is printed once)')
    .description('API keys, in the store: only a hash of each key is kept, so a new key is printed once.')
    .usage('<command> [options]');
  keys.addCommand(
    new Command('create')
      .summary('create a key for a principal, printed once')
      .description('Creates a key that acts as a principal, and prints it once.')
      .option('--id <principal>', 'the principal the key acts as (required)')
      .option('--scope <scope>', 'a scope the key grants (repeatable)', collect)
      .option('--role <role>', 'a role the key holds (repeatable)', collect)
      .option('--expires <duration>', 'how long the key works, such as 90d, 12h or 30m (default: until revoked)')
      .option('--prefix <prefix>', PREFIX_HELP)
      .addOption(storeFlag())
      .addHelpText(
        'after',
        examples(['gatehouse keys create --id svc-reports --scope reports:read --expires 90d', 'a key for 90 days']),
      )
      .action(async (options: CreateOptions) => cli.exitWith(await createKey(options, cli.io))),
  );
  keys.addCommand(
    new Command('list')
      .summary('list the keys')
      .description('Lists the keys: id, principal, scopes, expiry, state and last use (never a key).')
      .addOption(storeFlag())
      .addHelpText('after', examples(['gatehouse keys list', 'the keys in ./gatehouse.db']))
      .action(async (options: { store?: string }) =>
        cli.exitWith(await withStore(options.store, { create: false }, (store) => listKeys(store, cli.io))),
      ),
  );
  keys.addCommand(
    new Command('revoke')
      .summary('revoke a key')
      .description('Revokes a key: it is refused from now on.')
      .argument('<keyId>', 'the key id keys list shows (the part after the prefix)')
      .addOption(storeFlag())
      .addHelpText('after', examples(['gatehouse keys revoke 3kq8v0m2x9ab', 'that key is refused from now on']))
      .action(async (keyId: string, options: { store?: string }) =>
        cli.exitWith(await withStore(options.store, { create: false }, (store) => revokeKey(store, keyId, cli.io))),
      ),
  );
  keys.addCommand(
    new Command('rotate')
      .summary('replace a key; the old one works for an overlap')
      .description('Creates a key for the same principal; the old one stays valid for the overlap, then ends.')
      .argument('<keyId>', 'the key to replace')
      .option('--overlap <duration>', 'how long the old key stays valid, such as 7d or 2h; 0s ends it now (default 7d)')
      .option('--prefix <prefix>', PREFIX_HELP)
      .addOption(storeFlag())
      .addHelpText(
        'after',
        examples(['gatehouse keys rotate 3kq8v0m2x9ab --overlap 2h', 'a new key; the old one ends in two hours']),
      )
      .action(async (keyId: string, options: RotateOptions) => cli.exitWith(await rotateKey(keyId, options, cli.io))),
  );
  return keys;
}

/** A duration option in ms: `positive` refuses 0, for an expiry that would otherwise mean "never". */
function duration(option: string, text: string | undefined, positive: boolean): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || (positive && ms === 0))
    throw new UsageError(`${option} takes a duration${positive ? ' above 0' : ''}, such as 90d, 12h or 30m`);
  return ms;
}

/** A new key, made before the store is opened: a bad --prefix is bad usage with nothing written. */
function newKey(prefix: string | undefined): CreatedApiKey {
  try {
    return createApiKey(prefix !== undefined ? { prefix } : {});
  } catch (error) {
    if ((error as { code?: unknown }).code === INVALID_ARGUMENT)
      throw new UsageError('--prefix takes 1 to 16 lower-case letters and digits, starting with a letter');
    throw error;
  }
}

async function createKey(options: CreateOptions, io: Io): Promise<number> {
  if (!options.id) throw new UsageError('--id is needed: the principal the key acts as');
  const expires = duration('--expires', options.expires, true);
  const created = newKey(options.prefix);
  return withStore(options.store, { create: true }, async (store) => {
    await store.apiKeys.putApiKey({
      keyId: created.id,
      id: options.id!,
      hash: created.hash,
      scopes: options.scope ?? [],
      roles: options.role ?? [],
      ...(expires !== undefined ? { expiresAt: Date.now() + expires } : {}),
    });
    io.out(`key ${created.id} for ${options.id}. The key is shown once; store it now:`);
    io.out(created.key);
    return EXIT_OK;
  });
}

async function listKeys(store: GatehouseStore, io: Io): Promise<number> {
  const all = await store.apiKeys.listApiKeys();
  const rows = all.map((k) => [
    k.keyId,
    k.id,
    (k.scopes ?? []).join(' '),
    iso(k.expiresAt),
    k.revoked ? 'revoked' : 'active',
    iso(k.lastUsedAt),
  ]);
  io.out(table([['KEY ID', 'PRINCIPAL', 'SCOPES', 'EXPIRES', 'STATE', 'LAST USED'], ...rows]).join('\n'));
  return EXIT_OK;
}

async function revokeKey(store: GatehouseStore, keyId: string, io: Io): Promise<number> {
  if (!(await store.apiKeys.revokeApiKey(keyId))) {
    io.err(`gatehouse keys revoke: no key ${keyId}`);
    return EXIT_FAILED;
  }
  io.out(`revoked ${keyId}`);
  return EXIT_OK;
}

async function rotateKey(keyId: string, options: RotateOptions, io: Io): Promise<number> {
  const overlap = duration('--overlap', options.overlap, false) ?? 7 * 86_400_000;
  const created = newKey(options.prefix);
  return withStore(options.store, { create: false }, async (store) => {
    const old = await store.apiKeys.findApiKey(keyId);
    if (!old || old.revoked) {
      io.err(`gatehouse keys rotate: no active key ${keyId}`);
      return EXIT_FAILED;
    }
    const { keyId: _old, hash: _hash, revoked: _revoked, ...identity } = old;
    await store.apiKeys.putApiKey({ ...identity, keyId: created.id, hash: created.hash });
    const ends = Math.min(old.expiresAt ?? Number.POSITIVE_INFINITY, Date.now() + overlap);
    await store.apiKeys.putApiKey({ ...old, expiresAt: ends });
    io.out(
      `key ${created.id} replaces ${keyId}, which stays valid until ${iso(ends)}. The new key is shown once; store it now:`,
    );
    io.out(created.key);
    return EXIT_OK;
  });
}
