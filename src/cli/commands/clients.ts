/** `gatehouse clients add|list|remove`: OAuth 2.0 clients of the token endpoint. */
import { randomBytes } from 'node:crypto';
import { hashApiKey } from '../../server/credentials/api-key.ts';
import { withStore } from '../store-option.ts';
import { EXIT_FAILED, EXIT_OK, type Io, parse, table, UsageError } from './command.ts';

export const CLIENTS_USAGE = `gatehouse clients add <clientId> [--grant G]… [--scope S]… [--name NAME] [--public]
  grants: password, client_credentials, refresh_token (default: client_credentials, or password and refresh_token with --public)
gatehouse clients list
gatehouse clients remove <clientId>`;

const GRANTS = new Set(['password', 'client_credentials', 'refresh_token']);

export async function clients(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    store: { type: 'string' },
    grant: { type: 'string', multiple: true },
    scope: { type: 'string', multiple: true },
    name: { type: 'string' },
    public: { type: 'boolean' },
  });
  const [action, clientId, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (action !== 'add' && action !== 'list' && action !== 'remove')
    throw new UsageError('clients needs an action: add, list or remove');
  if ((action === 'add' || action === 'remove') && !clientId)
    throw new UsageError(`clients ${action} needs a client id`);
  // Every argument is checked before the store is opened; only add may create it.
  if (action === 'add' && !/^[A-Za-z0-9._~-]{1,64}$/.test(clientId!))
    throw new UsageError('a client id is 1–64 letters, digits and . _ ~ -');
  const grants = values.grant ?? (values.public ? ['password', 'refresh_token'] : ['client_credentials']);
  const unknown = grants.find((g) => !GRANTS.has(g));
  if (unknown)
    throw new UsageError(`unknown grant ${JSON.stringify(unknown)}; use password, client_credentials or refresh_token`);
  if (values.public && grants.includes('client_credentials'))
    throw new UsageError('a public client cannot use client_credentials');

  return withStore(values.store, { create: action === 'add' }, async (store) => {
    switch (action) {
      case 'add': {
        if (await store.clients.findClient(clientId!)) {
          io.err(`gatehouse clients add: ${clientId} exists already`);
          return EXIT_FAILED;
        }
        const secret = values.public ? undefined : randomBytes(32).toString('base64url');
        await store.clients.putClient({
          clientId: clientId!,
          grants,
          scopes: values.scope ?? [],
          ...(values.name ? { name: values.name } : {}),
          ...(secret ? { secretHash: hashApiKey(secret) } : {}),
        });
        io.out(`added client ${clientId} (${values.public ? 'public' : 'confidential'}; grants ${grants.join(', ')})`);
        if (secret) {
          io.out('Its secret is shown once; store it now:');
          io.out(secret);
        }
        return EXIT_OK;
      }
      case 'list': {
        const all = await store.clients.listClients();
        io.out(
          table([
            ['CLIENT ID', 'TYPE', 'GRANTS', 'SCOPES', 'NAME'],
            ...all.map((c) => [
              c.clientId,
              c.secretHash ? 'confidential' : 'public',
              c.grants.join(' '),
              c.scopes.join(' '),
              c.name ?? '',
            ]),
          ]).join('\n'),
        );
        return EXIT_OK;
      }
      case 'remove': {
        if (!(await store.clients.removeClient(clientId!))) {
          io.err(`gatehouse clients remove: no client ${clientId}`);
          return EXIT_FAILED;
        }
        io.out(`removed client ${clientId}`);
        return EXIT_OK;
      }
    }
  });
}
