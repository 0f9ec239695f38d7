/** `gatehouse clients add|list|remove`: OAuth 2.0 clients of the token endpoint. */
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { hashApiKey } from '../../server/credentials/api-key.ts';
import { redirectUriProblem } from '../../server/tokens/registered-redirect-uri.ts';
import type { GatehouseStore } from '../../stores/types.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { withStore } from '../store-option.ts';
import { table } from '../table.ts';
import { UsageError } from '../usage-error.ts';
import { type Cli, collect, examples, type Io } from './command.ts';
import { storeFlag } from './store-flag.ts';

interface AddOptions {
  grant?: string[];
  scope?: string[];
  name?: string;
  public?: boolean;
  redirectUri?: string[];
  store?: string;
}

const GRANTS = new Set(['authorization_code', 'client_credentials', 'refresh_token', 'password']);

export function clientsCommand(cli: Cli): Command {
  const clients = new Command('clients')
    .summary('manage OAuth 2.0 clients of the token endpoint')
    .description('OAuth 2.0 clients of the token endpoint (/oauth/token), in the store.')
    .usage('<command> [options]');
  clients.addCommand(
    new Command('add')
      .summary('add a client (a confidential one gets a secret, printed once)')
      .description(
        'Adds a client. A confidential client gets a secret, printed once; a public one (--public) has none.',
      )
      .argument('<clientId>', 'the client id: 1 to 64 letters, digits and . _ ~ -')
      .option(
        '--grant <grant>',
        'a grant it may use: authorization_code, client_credentials, refresh_token, or the legacy password ' +
          '(repeatable; default client_credentials, or with --redirect-uri authorization_code and refresh_token)',
        collect,
      )
      .option(
        '--redirect-uri <uri>',
        'where the authorize endpoint may send its users back, matched exactly (the port of a loopback IP aside): https, or http://127.0.0.1/… for an app on this machine, answered on any port (repeatable)',
        collect,
      )
      .option('--scope <scope>', 'a scope it may ask for (repeatable)', collect)
      .option('--name <name>', 'a name for people')
      .option('--public', 'a public client (a browser or mobile app): no secret, no client_credentials')
      .addOption(storeFlag())
      .addHelpText(
        'after',
        examples(
          ['gatehouse clients add reporting --scope reports', 'a service that signs in with its secret'],
          [
            'gatehouse clients add spa --public --redirect-uri https://app.example/callback',
            'a browser app: users sign in at the authorize endpoint (code + PKCE)',
          ],
          [
            'gatehouse clients add cli --public --redirect-uri http://127.0.0.1/callback',
            'a command-line tool signing its user in through the browser',
          ],
        ),
      )
      .action(async (clientId: string, options: AddOptions) =>
        cli.exitWith(await addClient(clientId, options, cli.io)),
      ),
  );
  clients.addCommand(
    new Command('list')
      .summary('list the clients')
      .description('Lists the clients: id, type, grants, scopes and name (never a secret).')
      .addOption(storeFlag())
      .addHelpText('after', examples(['gatehouse clients list', 'the clients in ./gatehouse.db']))
      .action(async (options: { store?: string }) =>
        cli.exitWith(await withStore(options.store, { create: false }, (store) => listClients(store, cli.io))),
      ),
  );
  clients.addCommand(
    new Command('remove')
      .summary('remove a client')
      .description('Removes a client: the token endpoint no longer knows it.')
      .argument('<clientId>', 'the client to remove')
      .addOption(storeFlag())
      .addHelpText('after', examples(['gatehouse clients remove reporting', 'its secret stops working']))
      .action(async (clientId: string, options: { store?: string }) =>
        cli.exitWith(
          await withStore(options.store, { create: false }, (store) => removeClient(store, clientId, cli.io)),
        ),
      ),
  );
  return clients;
}

/** The grants of a client to add, checked before the store is opened. */
function grantsOf(clientId: string, options: AddOptions): string[] {
  if (!/^[A-Za-z0-9._~-]{1,64}$/.test(clientId))
    throw new UsageError('a client id is 1–64 letters, digits and . _ ~ -');
  const redirects = options.redirectUri ?? [];
  for (const uri of redirects) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new UsageError(`--redirect-uri ${JSON.stringify(uri.slice(0, 200))} ${problem}`);
  }
  const grants =
    options.grant ?? (redirects.length > 0 ? ['authorization_code', 'refresh_token'] : ['client_credentials']);
  const unknown = grants.find((g) => !GRANTS.has(g));
  if (unknown)
    throw new UsageError(
      `unknown grant ${JSON.stringify(unknown)}; use authorization_code, client_credentials, refresh_token or password`,
    );
  if (options.public && grants.includes('client_credentials'))
    throw new UsageError(
      options.grant
        ? 'a public client cannot use client_credentials'
        : 'a public client signs its users in with the authorization-code grant: give it --redirect-uri',
    );
  if (grants.includes('authorization_code') && redirects.length === 0)
    throw new UsageError('the authorization_code grant needs at least one --redirect-uri');
  return grants;
}

async function addClient(clientId: string, options: AddOptions, io: Io): Promise<number> {
  const grants = grantsOf(clientId, options);
  return withStore(options.store, { create: true }, async (store) => {
    if (await store.clients.findClient(clientId)) {
      io.err(`gatehouse clients add: ${clientId} exists already`);
      return EXIT_FAILED;
    }
    const secret = options.public ? undefined : randomBytes(32).toString('base64url');
    await store.clients.putClient({
      clientId,
      grants,
      scopes: options.scope ?? [],
      ...(options.redirectUri?.length ? { redirectUris: options.redirectUri } : {}),
      ...(options.name ? { name: options.name } : {}),
      ...(secret ? { secretHash: hashApiKey(secret) } : {}),
    });
    io.out(`added client ${clientId} (${options.public ? 'public' : 'confidential'}; grants ${grants.join(', ')})`);
    if (secret) {
      io.out('Its secret is shown once; store it now:');
      io.out(secret);
    }
    return EXIT_OK;
  });
}

async function listClients(store: GatehouseStore, io: Io): Promise<number> {
  const all = await store.clients.listClients();
  io.out(
    table([
      ['CLIENT ID', 'TYPE', 'GRANTS', 'SCOPES', 'REDIRECT URIS', 'NAME'],
      ...all.map((c) => [
        c.clientId,
        c.secretHash ? 'confidential' : 'public',
        c.grants.join(' '),
        c.scopes.join(' '),
        (c.redirectUris ?? []).join(' '),
        c.name ?? '',
      ]),
    ]).join('\n'),
  );
  return EXIT_OK;
}

async function removeClient(store: GatehouseStore, clientId: string, io: Io): Promise<number> {
  if (!(await store.clients.removeClient(clientId))) {
    io.err(`gatehouse clients remove: no client ${clientId}`);
    return EXIT_FAILED;
  }
  io.out(`removed client ${clientId}`);
  return EXIT_OK;
}
