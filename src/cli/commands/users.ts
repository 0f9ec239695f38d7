/**
 * `gatehouse users add|list|remove|passwd|revoke-sessions`: people who sign in with a password.
 * Removing a user or changing a password ends every session of that user: their refresh-token
 * families are revoked (access tokens already issued live until their exp, 10 minutes by default).
 */
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { hashPassword } from '../../server/credentials/password-hash.ts';
import { StoreNotFoundError } from '../../stores/store-not-found-error.ts';
import type { GatehouseStore } from '../../stores/types.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { MAX_PASSWORD_BYTES, newPasswordProblem } from '../new-password.ts';
import { readSecret } from '../secret-input.ts';
import { withStore } from '../store-option.ts';
import { table } from '../table.ts';
import { UsageError } from '../usage-error.ts';
import { type Cli, collect, examples, type Io } from './command.ts';
import { storeFlag } from './store-flag.ts';

interface StoreOptions {
  store?: string;
}

interface AddOptions extends StoreOptions {
  scope?: string[];
  role?: string[];
}

const PASSWORD_INPUT =
  'The password is read from standard input when it is not a terminal, else typed at a prompt that does not ' +
  'echo it: never an argument, which shell history and ps would keep. It needs at least 8 characters.';

export function usersCommand(cli: Cli): Command {
  const users = new Command('users')
    .summary('manage users who sign in with a password')
    .description('Users who sign in with a password (the password grant, Basic, sessions), in the store.')
    .usage('<command> [options]');
  /** An action on the store --store names, for `username`: its exit code is the run's. */
  const onStore =
    (act: (store: GatehouseStore, username: string, io: Io) => Promise<number>) =>
    async (username: string, options: StoreOptions) =>
      cli.exitWith(await withStore(options.store, { create: false }, (store) => act(store, username, cli.io)));
  users.addCommand(
    new Command('add')
      .summary('add a user (the password from stdin or a prompt)')
      .description(`Adds a user. ${PASSWORD_INPUT}`)
      .argument('<username>', 'the name they sign in with')
      .option('--scope <scope>', 'a scope their tokens carry (repeatable)', collect)
      .option('--role <role>', 'a role they hold (repeatable)', collect)
      .addOption(storeFlag())
      .addHelpText(
        'after',
        examples(
          ['gatehouse users add alice --scope read --role admin', 'prompts for the password'],
          ['printf %s "$PASSWORD" | gatehouse users add alice', 'the password from standard input'],
        ),
      )
      .action(async (username: string, options: AddOptions) => cli.exitWith(await addUser(username, options, cli.io))),
  );
  users.addCommand(
    new Command('list')
      .summary('list the users')
      .description('Lists the users: name, id, scopes and roles (never a password hash).')
      .addOption(storeFlag())
      .addHelpText('after', examples(['gatehouse users list --store sqlite:app.db', 'the users of app.db']))
      .action(async (options: StoreOptions) =>
        cli.exitWith(await withStore(options.store, { create: false }, (store) => listUsers(store, cli.io))),
      ),
  );
  users.addCommand(
    new Command('remove')
      .summary('remove a user and end their sessions')
      .description('Removes a user and revokes every session (refresh token) of theirs.')
      .argument('<username>', 'the user to remove')
      .addOption(storeFlag())
      .addHelpText('after', examples(['gatehouse users remove alice', 'alice can no longer sign in or refresh']))
      .action(onStore(removeUser)),
  );
  users.addCommand(
    new Command('passwd')
      .summary("change a user's password and end their sessions")
      .description(`Changes a user's password and revokes every session of theirs. ${PASSWORD_INPUT}`)
      .argument('<username>', 'the user whose password changes')
      .addOption(storeFlag())
      .addHelpText(
        'after',
        examples(
          ['gatehouse users passwd alice', 'prompts for the new password'],
          ['printf %s "$NEW_PASSWORD" | gatehouse users passwd alice', 'the new password from standard input'],
        ),
      )
      .action(onStore(changePassword)),
  );
  users.addCommand(
    new Command('revoke-sessions')
      .summary("end a user's sessions (every refresh token)")
      .description("Revokes every refresh token of a user: their sessions end at their access token's exp.")
      .argument('<username>', 'the user whose sessions end')
      .addOption(storeFlag())
      .addHelpText('after', examples(['gatehouse users revoke-sessions alice', 'sign alice out everywhere']))
      .action(onStore(revokeSessions)),
  );
  return users;
}

async function listUsers(store: GatehouseStore, io: Io): Promise<number> {
  const all = await store.users.listUsers();
  io.out(
    table([
      ['USERNAME', 'ID', 'SCOPES', 'ROLES'],
      ...all.map((u) => [u.username, u.id, (u.scopes ?? []).join(' '), (u.roles ?? []).join(' ')]),
    ]).join('\n'),
  );
  return EXIT_OK;
}

async function removeUser(store: GatehouseStore, username: string, io: Io): Promise<number> {
  const user = await store.users.findUserByName(username);
  if (!user || !(await store.users.removeUser(username))) {
    io.err(`gatehouse users remove: no user ${username}`);
    return EXIT_FAILED;
  }
  const revoked = await store.refreshTokens.revokeSubject(user.id, Date.now());
  io.out(`removed ${username} and revoked ${sessions(revoked)}`);
  return EXIT_OK;
}

async function revokeSessions(store: GatehouseStore, username: string, io: Io): Promise<number> {
  const user = await store.users.findUserByName(username);
  if (!user) {
    io.err(`gatehouse users revoke-sessions: no user ${username}`);
    return EXIT_FAILED;
  }
  const revoked = await store.refreshTokens.revokeSubject(user.id, Date.now());
  io.out(`revoked ${sessions(revoked)} of ${username}`);
  return EXIT_OK;
}

/**
 * A name someone can sign in with: not empty, no control character (a line break would forge the
 * lines that name it), no colon (RFC 7617 §2: Basic cannot carry a user-id that holds one).
 */
function checkUsername(username: string): void {
  if (!username || /[\p{Cc}:]/u.test(username))
    throw new UsageError('<username> takes a name without colons or control characters');
}

/**
 * The store is created only once the name and the password are known good, so that a refused
 * password leaves nothing behind; a name that exists is said before the password is asked for.
 */
async function addUser(username: string, options: AddOptions, io: Io): Promise<number> {
  checkUsername(username);
  const taken = () => `gatehouse users add: ${username} exists already; use users passwd to change the password`;
  try {
    if (
      await withStore(options.store, { create: false }, async (store) => await store.users.findUserByName(username))
    ) {
      io.err(taken());
      return EXIT_FAILED;
    }
  } catch (error) {
    if (!(error instanceof StoreNotFoundError)) throw error;
  }
  const password = await readSecret(`password for ${username}: `, MAX_PASSWORD_BYTES);
  const problem = newPasswordProblem(password);
  if (problem) {
    io.err(`gatehouse users add: ${problem}`);
    return EXIT_FAILED;
  }
  return withStore(options.store, { create: true }, async (store) => {
    // Added by someone else while the password was typed: theirs stays.
    if (await store.users.findUserByName(username)) {
      io.err(taken());
      return EXIT_FAILED;
    }
    await store.users.putUser({
      username,
      id: `u_${randomUUID()}`,
      passwordHash: await hashPassword(password),
      scopes: options.scope ?? [],
      roles: options.role ?? [],
    });
    io.out(`added ${username}`);
    return EXIT_OK;
  });
}

async function changePassword(store: GatehouseStore, username: string, io: Io): Promise<number> {
  const user = await store.users.findUserByName(username);
  if (!user) {
    io.err(`gatehouse users passwd: no user ${username}`);
    return EXIT_FAILED;
  }
  const password = await readSecret(`new password for ${username}: `, MAX_PASSWORD_BYTES);
  const problem = newPasswordProblem(password);
  if (problem) {
    io.err(`gatehouse users passwd: ${problem}`);
    return EXIT_FAILED;
  }
  await store.users.putUser({ ...user, passwordHash: await hashPassword(password) });
  // Whoever signed in with the old password (perhaps the reason for the change) is signed out.
  // After the change, not before: a sign-in with the old password in between would survive.
  const revoked = await store.refreshTokens.revokeSubject(user.id, Date.now());
  io.out(`changed the password of ${username} and revoked ${sessions(revoked)}`);
  return EXIT_OK;
}

const sessions = (n: number) => `${n} ${n === 1 ? 'session' : 'sessions'}`;
