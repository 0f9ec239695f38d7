/** `gatehouse keys create|list|revoke|rotate`: API keys, whose secret is printed once. */
import { createApiKey } from '../../server/credentials/api-key.ts';
import type { GatehouseStore } from '../../stores/types.ts';
import { parseDuration } from '../durations.ts';
import { withStore } from '../store-option.ts';
import { EXIT_FAILED, EXIT_OK, type Io, parse, table, UsageError } from './command.ts';

export const KEYS_USAGE = `gatehouse keys create --id PRINCIPAL [--scope S]… [--role R]… [--expires 90d] [--prefix gh]
gatehouse keys list
gatehouse keys revoke <keyId>
gatehouse keys rotate <keyId> [--overlap 7d]   (a new key; the old one stays valid for the overlap)`;

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

const KEYS_OPTIONS = {
  store: { type: 'string' },
  id: { type: 'string' },
  scope: { type: 'string', multiple: true },
  role: { type: 'string', multiple: true },
  expires: { type: 'string' },
  overlap: { type: 'string' },
  prefix: { type: 'string' },
} as const;

type KeysValues = ReturnType<typeof parse<typeof KEYS_OPTIONS>>['values'];
/** A duration option read in milliseconds; undefined when not given. */
type Duration = (name: 'expires' | 'overlap') => number | undefined;

export async function keys(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, KEYS_OPTIONS);
  const [action, keyId, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const duration = (name: 'expires' | 'overlap') => {
    const text = values[name];
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined) throw new UsageError(`--${name} takes a duration such as 90d, 12h or 30m`);
    return ms;
  };
  // Every argument is checked before the store is opened; only create may create it.
  if (action !== 'create' && action !== 'list' && action !== 'revoke' && action !== 'rotate')
    throw new UsageError('keys needs an action: create, list, revoke or rotate');
  if (action === 'create' && !values.id) throw new UsageError('keys create needs --id, the principal the key acts as');
  if ((action === 'revoke' || action === 'rotate') && !keyId)
    throw new UsageError(`keys ${action} needs a key id (see keys list)`);
  duration('expires');
  duration('overlap');

  return withStore(values.store, { create: action === 'create' }, async (store) => {
    switch (action) {
      case 'create':
        return createKey(store, values, duration, io);
      case 'list': {
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
      case 'revoke': {
        if (!(await store.apiKeys.revokeApiKey(keyId!))) {
          io.err(`gatehouse keys revoke: no key ${keyId}`);
          return EXIT_FAILED;
        }
        io.out(`revoked ${keyId}`);
        return EXIT_OK;
      }
      case 'rotate':
        return rotateKey(store, keyId!, values, duration, io);
    }
  });
}

async function createKey(store: GatehouseStore, values: KeysValues, duration: Duration, io: Io): Promise<number> {
  const created = createApiKey(values.prefix ? { prefix: values.prefix } : {});
  const expires = duration('expires');
  await store.apiKeys.putApiKey({
    keyId: created.id,
    id: values.id!,
    hash: created.hash,
    scopes: values.scope ?? [],
    roles: values.role ?? [],
    ...(expires ? { expiresAt: Date.now() + expires } : {}),
  });
  io.out(`key ${created.id} for ${values.id}. The key is shown once; store it now:`);
  io.out(created.key);
  return EXIT_OK;
}

async function rotateKey(
  store: GatehouseStore,
  keyId: string,
  values: KeysValues,
  duration: Duration,
  io: Io,
): Promise<number> {
  const old = await store.apiKeys.findApiKey(keyId);
  if (!old || old.revoked) {
    io.err(`gatehouse keys rotate: no active key ${keyId}`);
    return EXIT_FAILED;
  }
  const overlap = duration('overlap') ?? 7 * 86_400_000;
  const created = createApiKey(values.prefix ? { prefix: values.prefix } : {});
  const { keyId: _old, hash: _hash, revoked: _revoked, ...identity } = old;
  await store.apiKeys.putApiKey({ ...identity, keyId: created.id, hash: created.hash });
  const ends = Math.min(old.expiresAt ?? Number.POSITIVE_INFINITY, Date.now() + overlap);
  await store.apiKeys.putApiKey({ ...old, expiresAt: ends });
  io.out(
    `key ${created.id} replaces ${keyId}, which stays valid until ${iso(ends)}. The new key is shown once; store it now:`,
  );
  io.out(created.key);
  return EXIT_OK;
}
